/// The pre- and post-processing steps of MTCNN exactly as facenet-pytorch 2.6.0 does them
/// (../shared/models/MANIFEST.md, "MTCNN"); the networks live in `MTCNNNetworks`.
public enum MTCNNSteps {
    /// A candidate face: box (x1, y1, x2, y2), face probability, box regression (dx1, dy1, dx2, dy2).
    public struct Candidate: Equatable, Sendable {
        public var box: FaceBox
        public var score: Float
        public var regression: SIMD4<Float>
    }

    /// Pyramid scales: 12/minFace * factor^k while the short side stays >= 12 pixels.
    public static func pyramidScales(width: Int, height: Int, minFaceSize: Double = 20, factor: Double = 0.709) -> [Double] {
        let m = 12.0 / minFaceSize
        var minLength = Double(min(width, height)) * m
        var scale = m
        var scales: [Double] = []
        while minLength >= 12 {
            scales.append(scale)
            scale *= factor
            minLength *= factor
        }
        return scales
    }

    /// The size (height, width) of a pyramid level: int(H*s + 1), int(W*s + 1).
    public static func levelSize(width: Int, height: Int, scale: Double) -> (height: Int, width: Int) {
        (Int(Double(height) * scale + 1), Int(Double(width) * scale + 1))
    }

    /// P-Net candidates of one level: `prob` is the face-probability plane [rows x cols], `reg` the
    /// 4 regression planes. Boxes use MATLAB's 1-based origin, as upstream. Row-major order.
    public static func candidates(prob: [Float], reg: [Float], rows: Int, cols: Int, scale: Double,
                                  threshold: Float = 0.6) -> [Candidate]
    {
        let s = Float(scale)
        let plane = rows * cols
        var out: [Candidate] = []
        for y in 0..<rows {
            for x in 0..<cols {
                let i = y * cols + x
                let p = prob[i]
                guard p >= threshold else { continue }
                let fx = Float(x), fy = Float(y)
                let box = FaceBox(x1: ((2 * fx + 1) / s).rounded(.down), y1: ((2 * fy + 1) / s).rounded(.down),
                                  x2: ((2 * fx + 12) / s).rounded(.down), y2: ((2 * fy + 12) / s).rounded(.down))
                out.append(Candidate(box: box, score: p,
                                     regression: SIMD4(reg[i], reg[plane + i], reg[2 * plane + i], reg[3 * plane + i])))
            }
        }
        return out
    }

    public enum OverlapMode: Sendable {
        /// torchvision `nms`: IoU with areas (x2-x1)*(y2-y1).
        case union
        /// facenet-pytorch `nms_numpy(..., 'Min')`: intersection over the smaller area, +1 sizes.
        case minimum
    }

    /// Indices kept by greedy non-maximum suppression (highest score first; a box is dropped when its
    /// overlap with a kept one is > threshold).
    public static func nms(_ items: [Candidate], threshold: Float, mode: OverlapMode) -> [Int] {
        // Stable descending order: torchvision sorts with a stable sort on CPU; numpy's argsort
        // (quicksort, ascending, popped from the end) differs only on exact score ties.
        let order = items.indices.sorted { (items[$0].score, -$0) > (items[$1].score, -$1) }
        var suppressed = [Bool](repeating: false, count: items.count)
        var keep: [Int] = []
        for (rank, i) in order.enumerated() where !suppressed[i] {
            keep.append(i)
            let a = items[i].box
            for j in order[(rank + 1)...] where !suppressed[j] {
                let b = items[j].box
                if overlap(a, b, mode) > threshold { suppressed[j] = true }
            }
        }
        return keep
    }

    static func overlap(_ a: FaceBox, _ b: FaceBox, _ mode: OverlapMode) -> Float {
        switch mode {
        case .union:
            let iw = max(0, min(a.x2, b.x2) - max(a.x1, b.x1)), ih = max(0, min(a.y2, b.y2) - max(a.y1, b.y1))
            let inter = iw * ih
            return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter)
        case .minimum:
            let iw = max(0, min(a.x2, b.x2) - max(a.x1, b.x1) + 1), ih = max(0, min(a.y2, b.y2) - max(a.y1, b.y1) + 1)
            let areaA = (a.x2 - a.x1 + 1) * (a.y2 - a.y1 + 1), areaB = (b.x2 - b.x1 + 1) * (b.y2 - b.y1 + 1)
            return iw * ih / min(areaA, areaB)
        }
    }

    /// Applies box regression; `plusOne` selects the R-/O-Net convention (w = x2 - x1 + 1).
    public static func regress(_ box: FaceBox, _ r: SIMD4<Float>, plusOne: Bool) -> FaceBox {
        let w = box.x2 - box.x1 + (plusOne ? 1 : 0), h = box.y2 - box.y1 + (plusOne ? 1 : 0)
        return FaceBox(x1: box.x1 + r[0] * w, y1: box.y1 + r[1] * h, x2: box.x2 + r[2] * w, y2: box.y2 + r[3] * h)
    }

    /// Squares a box on its long side around its centre (`rerec`).
    public static func square(_ box: FaceBox) -> FaceBox {
        let w = box.x2 - box.x1, h = box.y2 - box.y1, l = max(w, h)
        let x1 = box.x1 + w * 0.5 - l * 0.5, y1 = box.y1 + h * 0.5 - l * 0.5
        return FaceBox(x1: x1, y1: y1, x2: x1 + l, y2: y1 + l)
    }

    /// The pixel region a box crops for R-/O-Net: truncated to integers, clamped to x1, y1 >= 1,
    /// x2 <= W, y2 <= H; rows y1-1 ..< y2, columns x1-1 ..< x2 (no padding). Nil when empty.
    public static func cropRegion(_ box: FaceBox, width: Int, height: Int) -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        func trunc(_ v: Float) -> Int { v.isFinite ? Int(max(-1e9, min(1e9, v)).rounded(.towardZero)) : 0 }
        let x = max(1, trunc(box.x1)), y = max(1, trunc(box.y1))
        let ex = min(width, trunc(box.x2)), ey = min(height, trunc(box.y2))
        guard ex > x - 1, ey > y - 1 else { return nil }
        return (x - 1, y - 1, ex, ey)
    }

    /// O-Net's 5 points from its outputs (0-4 x, 5-9 y, relative to the box it was fed).
    public static func points(_ p: [Float], box: FaceBox) -> [SIMD2<Float>] {
        let w = box.x2 - box.x1 + 1, h = box.y2 - box.y1 + 1
        return (0..<5).map { SIMD2(w * p[$0] + box.x1 - 1, h * p[5 + $0] + box.y1 - 1) }
    }
}
