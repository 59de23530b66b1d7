import Foundation

/// One BlazeFace detection: box, the six keypoints (subject's right eye, left eye, nose tip, mouth
/// centre, right ear tragion, left ear tragion) and the score, in the coordinates it was decoded in.
public struct BlazeFaceDetection: Equatable, Sendable {
    public var box: FaceBox
    public var keypoints: [SIMD2<Float>]
    public var score: Float

    /// MediaPipe's FaceMesh ROI from a short-range detection (the eye keypoints give the roll).
    public var meshROI: FaceROI { FaceROI.fromDetection(box: box, rightEye: keypoints[0], leftEye: keypoints[1]) }
}

/// MediaPipe's post-processing of the short-range detector's raw outputs (../shared/models/MANIFEST.md):
/// fixed anchors, box and keypoint decoding, score threshold, weighted non-maximum suppression.
enum BlazeFaceDecoding {
    /// 16x16 cells with 2 anchors (stride 8), then 8x8 cells with 6 (strides 16, 16, 16 merged):
    /// 896 centres in [0, 1], ordered cell row, cell column, anchor.
    static let shortRangeAnchors: [SIMD2<Float>] = {
        var out: [SIMD2<Float>] = []
        for (cells, perCell) in [(16, 2), (8, 6)] {
            for row in 0..<cells {
                for col in 0..<cells {
                    let c = SIMD2((Float(col) + 0.5) / Float(cells), (Float(row) + 0.5) / Float(cells))
                    out += Array(repeating: c, count: perCell)
                }
            }
        }
        return out
    }()

    /// Detections scoring at least `minScore`, in [0, 1] input coordinates. `regressors` holds 16
    /// values per anchor (dx, dy, w, h, then six keypoints' x, y) in input pixels of `size`;
    /// `logits` one per anchor.
    static func decode(regressors: [Float], logits: [Float], anchors: [SIMD2<Float>], size: Float,
                       minScore: Float) -> [BlazeFaceDetection] {
        precondition(regressors.count == 16 * anchors.count && logits.count == anchors.count)
        var out: [BlazeFaceDetection] = []
        for (i, anchor) in anchors.enumerated() {
            let score = 1 / (1 + exp(-min(max(logits[i], -100), 100)))
            guard score >= minScore else { continue }
            let r = regressors[(16 * i)..<(16 * i + 16)].map { $0 / size }
            let centre = SIMD2(r[0], r[1]) + anchor
            let half = SIMD2(r[2], r[3]) / 2
            let keypoints = (0..<6).map { SIMD2(r[4 + 2 * $0], r[5 + 2 * $0]) + anchor }
            out.append(BlazeFaceDetection(box: FaceBox(x1: centre.x - half.x, y1: centre.y - half.y,
                                                       x2: centre.x + half.x, y2: centre.y + half.y),
                                          keypoints: keypoints, score: score))
        }
        return out
    }

    /// Weighted NMS: the best remaining detection takes every remaining one overlapping it by IoU
    /// > `threshold` (itself included) and becomes their score-weighted mean box and keypoints, with
    /// its own score. Best first.
    static func weightedNMS(_ detections: [BlazeFaceDetection], threshold: Float = 0.3) -> [BlazeFaceDetection] {
        var remaining = detections.sorted { $0.score > $1.score }
        var out: [BlazeFaceDetection] = []
        while let top = remaining.first {
            var total: Float = 0, corners = SIMD4<Float>(repeating: 0)
            var keypoints = [SIMD2<Float>](repeating: .zero, count: top.keypoints.count)
            var rest: [BlazeFaceDetection] = []
            for (i, d) in remaining.enumerated() {
                guard i == 0 || d.box.iou(top.box) > threshold else { rest.append(d); continue }
                total += d.score
                corners += d.score * SIMD4(d.box.x1, d.box.y1, d.box.x2, d.box.y2)
                for k in keypoints.indices { keypoints[k] += d.score * d.keypoints[k] }
            }
            corners /= total
            out.append(BlazeFaceDetection(box: FaceBox(x1: corners[0], y1: corners[1], x2: corners[2], y2: corners[3]),
                                          keypoints: keypoints.map { $0 / total }, score: top.score))
            remaining = rest
        }
        return out
    }
}
