import Foundation
import Neural

/// MTCNN face detection as facenet-pytorch 2.6.0 `MTCNN(keep_all=True).detect(img, landmarks=True)`,
/// on a planar RGB image with values in 0...255.
public struct MTCNNDetector {
    public struct Settings: Sendable {
        public var minFaceSize: Double = 20
        public var thresholds: (Float, Float, Float) = (0.6, 0.7, 0.7)
        public var factor: Double = 0.709
        /// Frames with a longer side are detected on an area-downscaled proxy of this long side
        /// and the results mapped back: 40 px faces in a 4K frame are 20 px in a 1920 proxy.
        public var proxyLongSide: Int = 1920
        /// Crops per R-/O-Net batch (bounds memory on frames with many candidates).
        public var batchSize: Int = 128
        public init() {}
    }

    /// Seconds per stage of the last call (for benchmarks).
    public struct Timings: Sendable {
        public var proxy = 0.0, pnet = 0.0, rnet = 0.0, onet = 0.0
        public init() {}
    }

    public let networks: MTCNNNetworks
    public var settings: Settings

    public init(networks: MTCNNNetworks, settings: Settings = Settings()) {
        self.networks = networks
        self.settings = settings
    }

    /// Faces, largest box first. `rgb` holds 3 planes (R, G, B) of `width` x `height`, 0...255.
    public func detect(rgb: [Float], width: Int, height: Int, timings: UnsafeMutablePointer<Timings>? = nil) -> [DetectedFace] {
        precondition(rgb.count == 3 * width * height, "3 planes of \(width)x\(height)")
        guard width >= 12, height >= 12 else { return [] }
        var t = Timings()
        defer { timings?.pointee = t }
        let long = max(width, height)
        if long > settings.proxyLongSide {
            let start = Date()
            let f = Double(long) / Double(settings.proxyLongSide)
            let pw = max(12, Int((Double(width) / f).rounded())), ph = max(12, Int((Double(height) / f).rounded()))
            var proxy = [Float](repeating: 0, count: 3 * pw * ph)
            rgb.withUnsafeBufferPointer { s in
                proxy.withUnsafeMutableBufferPointer { o in
                    areaResize(s.baseAddress!, planeSize: width * height, stride: width, channels: 3, x0: 0, y0: 0,
                               width: width, height: height, outWidth: pw, outHeight: ph, into: o.baseAddress!)
                }
            }
            t.proxy = Date().timeIntervalSince(start)
            // Proxy pixel centre i sits at source (i + 0.5) * s - 0.5.
            let sx = Float(width) / Float(pw), sy = Float(height) / Float(ph)
            func back(_ p: SIMD2<Float>) -> SIMD2<Float> { SIMD2((p.x + 0.5) * sx - 0.5, (p.y + 0.5) * sy - 0.5) }
            return run(rgb: proxy, width: pw, height: ph, timings: &t).map { f in
                let a = back(SIMD2(f.box.x1, f.box.y1)), b = back(SIMD2(f.box.x2, f.box.y2))
                return DetectedFace(box: FaceBox(x1: a.x, y1: a.y, x2: b.x, y2: b.y), score: f.score, points5: f.points5.map(back))
            }
        }
        return run(rgb: rgb, width: width, height: height, timings: &t)
    }

    func run(rgb: [Float], width: Int, height: Int, timings t: inout Timings) -> [DetectedFace] {
        var start = Date()
        var boxes = stageOne(rgb, width, height)
        t.pnet = Date().timeIntervalSince(start)
        start = Date()
        if !boxes.isEmpty { boxes = stageTwo(rgb, width, height, boxes) }
        t.rnet = Date().timeIntervalSince(start)
        start = Date()
        let faces = boxes.isEmpty ? [] : stageThree(rgb, width, height, boxes)
        t.onet = Date().timeIntervalSince(start)
        return faces.sorted { $0.box.area > $1.box.area }
    }

    /// P-Net over the pyramid; NMS per level (0.5) and over all levels (0.7); regress and square.
    func stageOne(_ rgb: [Float], _ width: Int, _ height: Int) -> [FaceBox] {
        var all: [MTCNNSteps.Candidate] = []
        for scale in MTCNNSteps.pyramidScales(width: width, height: height, minFaceSize: settings.minFaceSize, factor: settings.factor) {
            let (lh, lw) = MTCNNSteps.levelSize(width: width, height: height, scale: scale)
            var level = [Float](repeating: 0, count: 3 * lw * lh)
            rgb.withUnsafeBufferPointer { s in
                level.withUnsafeMutableBufferPointer { o in
                    areaResize(s.baseAddress!, planeSize: width * height, stride: width, channels: 3, x0: 0, y0: 0,
                               width: width, height: height, outWidth: lw, outHeight: lh, into: o.baseAddress!)
                }
            }
            let (reg, prob) = networks.pnet.forward(Self.normalised(Tensor(shape: [1, 3, lh, lw], data: level)))
            let rows = prob.shape[2], cols = prob.shape[3]
            let faceProb = Array(prob.data[(rows * cols)...])
            let found = MTCNNSteps.candidates(prob: faceProb, reg: reg.data, rows: rows, cols: cols, scale: scale,
                                              threshold: settings.thresholds.0)
            all += MTCNNSteps.nms(found, threshold: 0.5, mode: .union).map { found[$0] }
        }
        return MTCNNSteps.nms(all, threshold: 0.7, mode: .union).map {
            MTCNNSteps.square(MTCNNSteps.regress(all[$0].box, all[$0].regression, plusOne: false))
        }
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
