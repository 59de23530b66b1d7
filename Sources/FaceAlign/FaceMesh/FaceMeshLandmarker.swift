import Foundation
import Imaging
import Neural

/// MediaPipe FaceMesh (face_landmark.tflite, 468 points) on a rotated ROI of an RGB image.
public final class FaceMeshLandmarker {
    public static let inputSize = 192
    let graph: TFLiteGraph

    public init(searchPath: ModelSearchPath = .standard()) throws {
        graph = try TFLiteGraph(modelPath: "mediapipe/face_landmark", searchPath: searchPath)
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

    /// Landmarks for a detected face: first pass on the detection's ROI, then (when that ROI was
    /// off-centre or mis-sized by more than `tolerance` of its side) again on the ROI the mesh implies.
    public func landmarks(_ image: ImageBuffer, face: DetectedFace, tolerance: Double = 0.05, maxPasses: Int = 3)
        -> (landmarks: [SIMD3<Float>], presence: Float, roi: FaceROI)
    {
        var roi = FaceROI.fromDetection(box: face.box, rightEye: face.points5[0], leftEye: face.points5[1])
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
