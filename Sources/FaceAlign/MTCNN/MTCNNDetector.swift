import Foundation
import Neural

/// MTCNN face detection as facenet-pytorch 2.6.0 `MTCNN(keep_all=True).detect(img, landmarks=True)`,
/// on a planar RGB image with values in 0...255.
public struct MTCNNDetector {
    public struct Settings: Sendable {
        public var minFaceSize: Double = 20
        public var thresholds: (Float, Float, Float) = (0.6, 0.7, 0.7)
        public var factor: Double = 0.709
        /// nil (default): every frame gets upstream's whole pyramid, so a 4K frame is searched down
        /// to `minFaceSize` like any other. A length: frames with a longer long side skip the
        /// pyramid levels finer than a frame of this long side would need (a 4K frame with 1920
        /// skips two: faces under ~40 px are not searched, ~3x less P-Net work). The levels kept
        /// and the R-/O-Net crops still come from the full-resolution frame, so every face searched
        /// gets upstream's boxes, points and scores.
        public var proxyLongSide: Int? = nil
        /// Crops per R-/O-Net batch (bounds memory on frames with many candidates).
        public var batchSize: Int = 128
        public init() {}
    }

    /// Seconds per stage of the last call (for benchmarks). `pyramid` = the area-resized levels.
    public struct Timings: Sendable {
        public var pyramid = 0.0, pnet = 0.0, rnet = 0.0, onet = 0.0
        public init() {}
    }

    public let networks: MTCNNNetworks
    public var settings: Settings

    public init(networks: MTCNNNetworks, settings: Settings = Settings()) {
        self.networks = networks
        self.settings = settings
    }

    /// Faces, largest box first. `rgb` holds 3 planes (R, G, B) of `width` x `height`, 0...255
    /// (upstream sees 8-bit images: integer values give its pyramid bit for bit).
    public func detect(rgb: [Float], width: Int, height: Int, timings: UnsafeMutablePointer<Timings>? = nil) -> [DetectedFace] {
        var trace: MTCNNTrace?
        return detect(rgb: rgb, width: width, height: height, timings: timings, trace: &trace)
    }

    /// `detect`, also recording what each stage produced when `trace` is non-nil on entry
    /// (scripts/mtcnn_parity.py records the same for upstream).
    func detect(rgb: [Float], width: Int, height: Int, timings: UnsafeMutablePointer<Timings>?,
                trace: inout MTCNNTrace?) -> [DetectedFace] {
        precondition(rgb.count == 3 * width * height, "3 planes of \(width)x\(height)")
        guard width >= 12, height >= 12 else { return [] }
        var t = Timings()
        defer { timings?.pointee = t }
        var start = Date()
        var boxes = stageOne(rgb, width, height, timings: &t, trace: &trace)
        t.pnet = Date().timeIntervalSince(start) - t.pyramid
        start = Date()
        if !boxes.isEmpty { boxes = stageTwo(rgb, width, height, boxes) }
        trace?.rnet = boxes
        t.rnet = Date().timeIntervalSince(start)
        start = Date()
        let faces = boxes.isEmpty ? [] : stageThree(rgb, width, height, boxes)
        t.onet = Date().timeIntervalSince(start)
        return faces.sorted { $0.box.area > $1.box.area }
    }

    /// The pyramid scales searched: upstream's, less the finest levels when `proxyLongSide` applies.
    func searchedScales(width: Int, height: Int) -> [Double] {
        let scales = MTCNNSteps.pyramidScales(width: width, height: height, minFaceSize: settings.minFaceSize, factor: settings.factor)
        guard let proxy = settings.proxyLongSide, max(width, height) > proxy else { return scales }
        // The levels a frame of long side `proxy` starts at, rounded down to whole pyramid steps.
        let ratio = Double(max(width, height)) / Double(proxy)
        let skip = Int((log(ratio) / log(1 / settings.factor)).rounded(.down))
        return Array(scales.dropFirst(min(skip, max(0, scales.count - 1))))
    }

    /// P-Net over the pyramid; NMS per level (0.5) and over all levels (0.7); regress and square.
    func stageOne(_ rgb: [Float], _ width: Int, _ height: Int, timings t: inout Timings, trace: inout MTCNNTrace?) -> [FaceBox] {
        var all: [MTCNNSteps.Candidate] = []
        let scales = searchedScales(width: width, height: height)
        trace?.scales = scales
        var start = Date()
        let summed = scales.count > 1 ? SummedAreaPyramid(rgb: rgb, width: width, height: height) : nil
        t.pyramid += Date().timeIntervalSince(start)
        for scale in scales {
            let (lh, lw) = MTCNNSteps.levelSize(width: width, height: height, scale: scale)
            start = Date()
            var level: [Float]
            if let summed {
                level = summed.level(outWidth: lw, outHeight: lh)
            } else {
                level = [Float](repeating: 0, count: 3 * lw * lh)
                rgb.withUnsafeBufferPointer { s in
                    level.withUnsafeMutableBufferPointer { o in
                        areaResize(s.baseAddress!, planeSize: width * height, stride: width, channels: 3, x0: 0, y0: 0,
                                   width: width, height: height, outWidth: lw, outHeight: lh, into: o.baseAddress!)
                    }
                }
            }
            t.pyramid += Date().timeIntervalSince(start)
            let (reg, faceProb, rows, cols) = pnetLevel(level, width: lw, height: lh)
            let found = MTCNNSteps.candidates(prob: faceProb, reg: reg, rows: rows, cols: cols, scale: scale,
                                              threshold: settings.thresholds.0)
            let kept = MTCNNSteps.nms(found, threshold: 0.5, mode: .union).map { found[$0] }
            trace?.levels.append(.init(height: lh, width: lw, candidates: found.count, kept: kept))
            all += kept
        }
        let boxes = MTCNNSteps.nms(all, threshold: 0.7, mode: .union).map {
            MTCNNSteps.square(MTCNNSteps.regress(all[$0].box, all[$0].regression, plusOne: false))
        }
        trace?.pnet = boxes
        return boxes
    }

    /// P-Net on one level: regression planes, face-probability plane and their size. Large levels
    /// (a 4K frame's finest is 2304x1297) go in horizontal strips, so activations stay ~100 MB
    /// instead of ~1 GB: output row y sees level rows 2y ..< 2y + 12, so the strip of output rows
    /// a ..< b reads level rows 2a ..< 2b + 10 and gives those rows as a single pass would.
    func pnetLevel(_ level: [Float], width: Int, height: Int, stripPixels: Int = 600_000)
        -> (reg: [Float], prob: [Float], rows: Int, cols: Int)
    {
        let stripRows = max(8, stripPixels / (2 * width))
        guard height > 2 * stripRows + 10 else {
            let (reg, prob) = networks.pnet.forward(Self.normalised(Tensor(shape: [1, 3, height, width], data: level)))
            let rows = prob.shape[2], cols = prob.shape[3]
            return (reg.data, Array(prob.data[(rows * cols)...]), rows, cols)
        }
        var reg: [[Float]] = [[], [], [], []], prob: [Float] = []
        var cols = 0, a = 0, done = false
        while !done {
            let r0 = 2 * a, r1 = min(height, 2 * (a + stripRows) + 10)
            done = r1 == height
            var strip = [Float](repeating: 0, count: 3 * (r1 - r0) * width)
            for c in 0..<3 {
                let src = c * height * width + r0 * width, dst = c * (r1 - r0) * width
                strip[dst..<(dst + (r1 - r0) * width)] = level[src..<(src + (r1 - r0) * width)]
            }
            let (r, p) = networks.pnet.forward(Self.normalised(Tensor(shape: [1, 3, r1 - r0, width], data: strip)))
            let rows = p.shape[2]
            cols = p.shape[3]
            // A middle strip gives exactly its stripRows rows; the last one the rest of the level.
            let take = done ? rows : stripRows
            for k in 0..<4 { reg[k] += r.data[(k * rows * cols)..<(k * rows * cols + take * cols)] }
            prob += p.data[(rows * cols)..<(rows * cols + take * cols)]
            a += take
        }
        return (reg.flatMap { $0 }, prob, a, cols)
    }

    /// R-Net on 24x24 crops: keep prob > 0.7, NMS 0.7, regress (+1 sizes), square.
    func stageTwo(_ rgb: [Float], _ width: Int, _ height: Int, _ boxes: [FaceBox]) -> [FaceBox] {
        var kept: [MTCNNSteps.Candidate] = []
        forEachBatch(rgb, width, height, boxes, size: 24) { batchBoxes, input in
            let (reg, prob) = networks.rnet.forward(input)
            for (i, box) in batchBoxes.enumerated() where prob.data[2 * i + 1] > settings.thresholds.1 {
                kept.append(.init(box: box, score: prob.data[2 * i + 1],
                                  regression: SIMD4(reg.data[4 * i], reg.data[4 * i + 1], reg.data[4 * i + 2], reg.data[4 * i + 3])))
            }
        }
        return MTCNNSteps.nms(kept, threshold: 0.7, mode: .union).map {
            MTCNNSteps.square(MTCNNSteps.regress(kept[$0].box, kept[$0].regression, plusOne: true))
        }
    }

    /// O-Net on 48x48 crops: keep prob > 0.7, points from the fed box, regress, NMS "Min" 0.7.
    func stageThree(_ rgb: [Float], _ width: Int, _ height: Int, _ boxes: [FaceBox]) -> [DetectedFace] {
        var kept: [MTCNNSteps.Candidate] = []
        var points: [[SIMD2<Float>]] = []
        forEachBatch(rgb, width, height, boxes, size: 48) { batchBoxes, input in
            let (reg, pts, prob) = networks.onet.forward(input)
            for (i, box) in batchBoxes.enumerated() where prob.data[2 * i + 1] > settings.thresholds.2 {
                let r = SIMD4(reg.data[4 * i], reg.data[4 * i + 1], reg.data[4 * i + 2], reg.data[4 * i + 3])
                points.append(MTCNNSteps.points(Array(pts.data[(10 * i)..<(10 * i + 10)]), box: box))
                kept.append(.init(box: MTCNNSteps.regress(box, r, plusOne: true), score: prob.data[2 * i + 1], regression: .zero))
            }
        }
        return MTCNNSteps.nms(kept, threshold: 0.7, mode: .minimum).map {
            DetectedFace(box: kept[$0].box, score: kept[$0].score, points5: points[$0])
        }
    }

    /// Crops the boxes (upstream's clipped regions), area-resizes them to `size`, normalises, and
    /// hands batches to `body` with the boxes they came from (empty regions are skipped, as upstream).
    func forEachBatch(_ rgb: [Float], _ width: Int, _ height: Int, _ boxes: [FaceBox], size: Int,
                      _ body: ([FaceBox], Tensor) -> Void)
    {
        let usable = boxes.compactMap { b in MTCNNSteps.cropRegion(b, width: width, height: height).map { (b, $0) } }
        var start = 0
        while start < usable.count {
            let part = usable[start..<min(usable.count, start + settings.batchSize)]
            var data = [Float](repeating: 0, count: part.count * 3 * size * size)
            rgb.withUnsafeBufferPointer { s in
                data.withUnsafeMutableBufferPointer { o in
                    for (k, (_, r)) in part.enumerated() {
                        areaResize(s.baseAddress!, planeSize: width * height, stride: width, channels: 3, x0: r.x0, y0: r.y0,
                                   width: r.x1 - r.x0, height: r.y1 - r.y0, outWidth: size, outHeight: size,
                                   into: o.baseAddress! + k * 3 * size * size)
                    }
                }
            }
            body(part.map(\.0), Self.normalised(Tensor(shape: [part.count, 3, size, size], data: data)))
            start += settings.batchSize
        }
    }

    /// (x - 127.5) * 0.0078125.
    static func normalised(_ t: Tensor) -> Tensor { t.map { ($0 - 127.5) * 0.0078125 } }
}
