import Foundation
import Imaging
import Neural

/// MediaPipe FaceMesh (face_landmark.tflite, 468 points) on a rotated ROI of an RGB image, the ROI
/// of a detected face made as MediaPipe makes it: from its own short-range detector's detection.
public final class FaceMeshLandmarker {
    public static let inputSize = 192
    /// MediaPipe drops a mesh below this presence.
    public static let minPresence: Float = 0.5
    let graph: TFLiteGraph
    public let faceDetector: BlazeFaceDetector

    public init(searchPath: ModelSearchPath = .standard()) throws {
        graph = try TFLiteGraph(modelPath: "mediapipe/face_landmark", searchPath: searchPath)
        faceDetector = try BlazeFaceDetector(searchPath: searchPath)
    }

    /// The network input for an ROI: 1x192x192x3, RGB in [0, 1] (image channels R, G, B, display
    /// referred; values outside [0, 1] and NaN are clamped after sampling).
    public func cropInput(_ image: ImageBuffer, roi: FaceROI) -> Tensor {
        let n = Self.inputSize
        // OpenCV INTER_LINEAR + BORDER_REPLICATE, as MediaPipe's ImageToTensor.
        let crop = image.selecting(["R", "G", "B"]).warpAffine(
            matrix: .fromIntegerCentreConvention(roi.cropToImage(size: n)), width: n, height: n, filter: .bilinear, edge: .clamp)
        var data = [Float](repeating: 0, count: n * n * 3)
        for c in 0..<3 {
            let plane = crop.planes[c]
            for i in 0..<(n * n) { data[3 * i + c] = plane[i].isNaN ? 0 : min(max(plane[i], 0), 1) }
        }
        return Tensor(shape: [1, n, n, 3], data: data)
    }

    /// Raw outputs on a prepared input: landmarks in 192-pixel crop units (x, y, z) and the
    /// face-presence logit.
    public func run(input: Tensor) -> (landmarks: [SIMD3<Float>], presenceLogit: Float) {
        let out = graph.run(nhwc: input)
        let raw = out["conv2d_21"]!.data
        let marks = (0..<FaceMeshTopology.pointCount).map { SIMD3(raw[3 * $0], raw[3 * $0 + 1], raw[3 * $0 + 2]) }
        return (marks, out["conv2d_31"]!.data[0])
    }

    /// Landmarks in image pixels (z scaled like x) and the presence probability for one ROI.
    public func landmarks(_ image: ImageBuffer, roi: FaceROI) -> (landmarks: [SIMD3<Float>], presence: Float) {
        let (raw, logit) = run(input: cropInput(image, roi: roi))
        let n = Double(Self.inputSize)
        let m = roi.cropToImage(size: Self.inputSize)
        let marks = raw.map { p -> SIMD3<Float> in
            let q = m.apply(SIMD2(Double(p.x), Double(p.y)))
            return SIMD3(Float(q.x), Float(q.y), Float(Double(p.z) / n * roi.side))
        }
        return (marks, 1 / (1 + exp(-logit)))
    }

    /// MediaPipe's ROI for an MTCNN face: the short-range detector runs on the square 2.5x the face's
    /// box around it (`DetectorRegion.around`), and the detection that is this face gives the ROI by
    /// MediaPipe's rule. Nil when the detector finds no face there.
    public func detectorROI(_ image: ImageBuffer, for face: DetectedFace) -> FaceROI? {
        let region = DetectorRegion.around(face.box, width: image.width, height: image.height)
        return Self.match(faceDetector.detect(image, region: region), to: face)?.meshROI
    }

    /// The detection that is this face: its box centre nearest the MTCNN box's centre and within a
    /// quarter of the box's width of it, its size within 2x of the box's (the region can hold neighbours).
    static func match(_ detections: [BlazeFaceDetection], to face: DetectedFace) -> BlazeFaceDetection? {
        func distance(_ d: BlazeFaceDetection) -> Float {
            let v = d.box.center - face.box.center
            return (v * v).sum().squareRoot()
        }
        let size = max(face.box.width, face.box.height)
        let plausible = detections.filter {
            let s = max($0.box.width, $0.box.height)
            return distance($0) <= 0.25 * face.box.width && s >= size / 2 && s <= 2 * size
        }
        return plausible.min { distance($0) < distance($1) }
    }

    /// Landmarks for a detected face, as MediaPipe gives them: one pass on the ROI of its own
    /// detector (`detectorROI`). Where that detector finds nothing or its mesh is not present, the
    /// ROI comes from MTCNN's box and points (`mtcnnLandmarks`) and the more present mesh is kept.
    public func landmarks(_ image: ImageBuffer, face: DetectedFace) -> (landmarks: [SIMD3<Float>], presence: Float, roi: FaceROI) {
        landmarks(image, face: face, detectorROI: detectorROI(image, for: face))
    }

    /// `landmarks(_:face:)` with the detector's ROI already found (nil: none).
    public func landmarks(_ image: ImageBuffer, face: DetectedFace, detectorROI: FaceROI?)
        -> (landmarks: [SIMD3<Float>], presence: Float, roi: FaceROI)
    {
        guard let roi = detectorROI else { return mtcnnLandmarks(image, face: face) }
        let own = landmarks(image, roi: roi)
        if own.presence >= Self.minPresence { return (own.landmarks, own.presence, roi) }
        let fallback = mtcnnLandmarks(image, face: face)
        return fallback.presence > own.presence ? fallback : (own.landmarks, own.presence, roi)
    }

    /// Landmarks from MTCNN's box and points alone (the fallback): first pass on MediaPipe's ROI rule
    /// applied to MTCNN's box and eyes, then (when that ROI was off-centre or mis-sized by more than
    /// `tolerance` of its side) again on the ROI the mesh implies.
    /// When the mesh does not lock on firmly (presence below `searchBelow`), which happens on turned
    /// and tilted heads, where MTCNN's eye points give the wrong roll and its box a looser ROI than
    /// MediaPipe's own detector, tighter and rolled ROIs are tried (for detections with score >= 0.9)
    /// and the most confident one is refined;
    /// it replaces the first result only if its eyes, nose and mouth corners agree with MTCNN's five
    /// points (a mesh can report presence > 0.5 while sitting on the wrong part of a turned head).
    public func mtcnnLandmarks(_ image: ImageBuffer, face: DetectedFace, tolerance: Double = 0.05, maxPasses: Int = 3,
                               searchBelow: Float = 0.9)
        -> (landmarks: [SIMD3<Float>], presence: Float, roi: FaceROI)
    {
        let start = FaceROI.fromDetection(box: face.box, rightEye: face.points5[0], leftEye: face.points5[1])
        var best = refined(image, from: start, tolerance: tolerance, maxPasses: maxPasses)
        // Only for faces the detector is sure of: its weak false positives would cost 10 runs each.
        guard best.presence < searchBelow, face.score >= 0.9 else { return best }
        var seed: (roi: FaceROI, presence: Float)?
        for scale in [1.2, 1.0] {
            for roll in [0, -0.35, 0.35, -0.7, 0.7] {
                var roi = FaceROI.fromDetection(box: face.box, rightEye: face.points5[0], leftEye: face.points5[1], scale: scale)
                roi.rotation += roll
                let p = landmarks(image, roi: roi).presence
                if p > seed?.presence ?? -1 { seed = (roi, p) }
            }
        }
        if let seed, seed.presence > best.presence {
            let again = refined(image, from: seed.roi, tolerance: tolerance, maxPasses: maxPasses)
            if again.presence > best.presence, Self.agrees(again.landmarks, with: face) { best = again }
        }
        return best
    }

    /// Whether a mesh's eye centres, nose tip and mouth corners lie on average within a quarter of
    /// the detection box's width of MTCNN's five points.
    static func agrees(_ marks: [SIMD3<Float>], with face: DetectedFace) -> Bool {
        func p(_ i: Int) -> SIMD2<Float> { SIMD2(marks[i].x, marks[i].y) }
        let five = [(p(33) + p(133)) / 2, (p(263) + p(362)) / 2, p(1), p(61), p(291)]
        let mean = zip(five, face.points5).reduce(Float(0)) { s, ab in s + ((ab.0 - ab.1) * (ab.0 - ab.1)).sum().squareRoot() } / 5
        return mean <= 0.25 * face.box.width
    }

    func refined(_ image: ImageBuffer, from start: FaceROI, tolerance: Double, maxPasses: Int)
        -> (landmarks: [SIMD3<Float>], presence: Float, roi: FaceROI)
    {
        var roi = start
        var result = landmarks(image, roi: roi)
        for _ in 1..<maxPasses {
            let next = FaceROI.fromLandmarks(result.landmarks)
            let shift = hypot(next.cx - roi.cx, next.cy - roi.cy), grow = abs(next.side - roi.side)
            guard max(shift, grow) > tolerance * roi.side else { break }
            roi = next
            result = landmarks(image, roi: roi)
        }
        return (result.landmarks, result.presence, roi)
    }
}
