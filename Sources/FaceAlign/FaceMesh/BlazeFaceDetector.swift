import Foundation
import Imaging
import Neural

/// The square part of an image the face detector looks at: `side` image pixels from (`x`, `y`),
/// resampled to the detector's input. Only pixels in [`readX0`, `readX1`) x [`readY0`, `readY1`)
/// are read; the rest is black, as when MediaPipe is given just that part as its image.
public struct DetectorRegion: Equatable, Sendable {
    public var x: Double, y: Double, side: Double
    public var readX0: Int, readY0: Int, readX1: Int, readY1: Int

    /// The whole image centred in a square of its long side (MediaPipe's letterbox).
    public static func letterbox(width: Int, height: Int) -> DetectorRegion {
        let s = max(width, height)
        return DetectorRegion(x: -Double(s - width) / 2, y: -Double(s - height) / 2, side: Double(s),
                              readX0: 0, readY0: 0, readX1: width, readY1: height)
    }

    /// A whole-pixel square of `scale` x the box's long side centred on the box, moved inside the
    /// image and no larger than its short side. At 2.5 a face is about 40 % of the detector's input,
    /// where the short-range model finds it at any image size (a 130 px face in a 4K frame is 4 px
    /// of the 128 px letterbox). Rounding as scripts/facemesh_reference.py crops.
    public static func around(_ box: FaceBox, width: Int, height: Int, scale: Double = 2.5) -> DetectorRegion {
        var side = Int((scale * Double(max(box.width, box.height))).rounded(.toNearestOrEven))
        side = max(1, min(side, width, height))
        let c = box.center
        func origin(_ centre: Float, _ size: Int) -> Int {
            min(max(Int((Double(centre) - Double(side) / 2).rounded(.toNearestOrEven)), 0), size - side)
        }
        let x0 = origin(c.x, width), y0 = origin(c.y, height)
        return DetectorRegion(x: Double(x0), y: Double(y0), side: Double(side),
                              readX0: x0, readY0: y0, readX1: x0 + side, readY1: y0 + side)
    }
}

/// MediaPipe's short-range face detector (face_detection_short_range.tflite, 128 x 128) with its
/// pre- and post-processing as ../shared/models/MANIFEST.md describes them. FaceMesh takes its ROI
/// from these detections, as MediaPipe's FaceMesh does.
public final class BlazeFaceDetector {
    public static let inputSize = 128
    /// MediaPipe's `min_score_thresh` for this model.
    public static let minScore: Float = 0.5
    let graph: TFLiteGraph

    public init(searchPath: ModelSearchPath = .standard()) throws {
        graph = try TFLiteGraph(modelPath: "mediapipe/face_detection_short_range", searchPath: searchPath)
    }

    /// The network input for a region: 1x128x128x3, RGB in [-1, 1]. MediaPipe warps the 8-bit image
    /// bilinearly without prefiltering (OpenCV, pixel centres at whole coordinates, positions in
    /// 1/32 px, black outside), so each sample is a whole 8-bit level here too.
    public func input(_ image: ImageBuffer, region r: DetectorRegion) -> Tensor {
        let n = Self.inputSize, step = r.side / Double(n)
        let planes = ["R", "G", "B"].map { image.channelIndex($0).map { image.planes[$0] } ?? [] }
        let x0 = max(r.readX0, 0), y0 = max(r.readY0, 0), x1 = min(r.readX1, image.width), y1 = min(r.readY1, image.height)
        var data = [Float](repeating: 0, count: n * n * 3)
        for v in 0..<n {
            let sy = ((r.y + Double(v) * step) * 32).rounded(.toNearestOrEven) / 32
            let py = Int(sy.rounded(.down)), fy = Float(sy - Double(py))
            for u in 0..<n {
                let sx = ((r.x + Double(u) * step) * 32).rounded(.toNearestOrEven) / 32
                let px = Int(sx.rounded(.down)), fx = Float(sx - Double(px))
                for c in 0..<3 {
                    func level(_ x: Int, _ y: Int) -> Float {
                        guard x >= x0, x < x1, y >= y0, y < y1, !planes[c].isEmpty else { return 0 }
                        let value = planes[c][y * image.width + x]
                        return value.isNaN ? 0 : min(max(value, 0), 1) * 255
                    }
                    let top = level(px, py) * (1 - fx) + level(px + 1, py) * fx
                    let bottom = level(px, py + 1) * (1 - fx) + level(px + 1, py + 1) * fx
                    data[(v * n + u) * 3 + c] = (top * (1 - fy) + bottom * fy).rounded() / 127.5 - 1
                }
            }
        }
        return Tensor(shape: [1, n, n, 3], data: data)
    }

    /// Raw outputs on a prepared input: `regressors` (896 x 16) and `classificators` (896 logits).
    public func run(input: Tensor) -> (regressors: [Float], logits: [Float]) {
        let out = graph.run(nhwc: input)
        return (out["regressors"]!.data, out["classificators"]!.data)
    }

    /// Faces in a region of the image, best first, in image pixels.
    public func detect(_ image: ImageBuffer, region: DetectorRegion) -> [BlazeFaceDetection] {
        let raw = run(input: input(image, region: region))
        let found = BlazeFaceDecoding.decode(regressors: raw.regressors, logits: raw.logits,
                                             anchors: BlazeFaceDecoding.shortRangeAnchors,
                                             size: Float(Self.inputSize), minScore: Self.minScore)
        let s = Float(region.side), o = SIMD2(Float(region.x), Float(region.y))
        return BlazeFaceDecoding.weightedNMS(found).map { d in
            BlazeFaceDetection(box: FaceBox(x1: d.box.x1 * s + o.x, y1: d.box.y1 * s + o.y,
                                            x2: d.box.x2 * s + o.x, y2: d.box.y2 * s + o.y),
                               keypoints: d.keypoints.map { $0 * s + o }, score: d.score)
        }
    }
}
