import Support

/// Precomputed taps for one axis of an axis-aligned resample: output index `o` reads input indices
/// `index[o * taps + t]` with weights `weight[o * taps + t]` (zero weights pad short rows).
struct TapTable {
    let taps: Int
    let index: [Int32]
    let weight: [Float]

    /// Output coordinate `o + 0.5` maps to input coordinate `scale * (o + 0.5) + offset`.
    /// `widen`: stretch the kernel by the downscale factor (antialiased resize); the warp does not.
    init(outputCount: Int, inputCount: Int, scale: Double, offset: Double,
         filter: ResampleFilter, edge: EdgeMode, widen: Bool) {
        var rows: [[(Int, Double)]] = []
        rows.reserveCapacity(outputCount)
        let shrink = abs(scale)
        for o in 0..<outputCount {
            var row: [(Int, Double)] = []
            if filter == .area && shrink > 1 {
                // Exact coverage of the footprint [lo, hi) by input pixels [k, k+1).
                let p = scale * Double(o) + offset, q = scale * Double(o + 1) + offset
                let lo = min(p, q), hi = max(p, q)
                for k in Int(lo.rounded(.down))..<Int(hi.rounded(.up)) {
                    let overlap = min(hi, Double(k + 1)) - max(lo, Double(k))
                    if overlap > 0 { row.append((k, overlap / shrink)) }
                }
            } else {
                let stretch = widen ? max(1, shrink) : 1
                let kernel: ResampleFilter = filter == .area ? .bilinear : filter
                let u = scale * (Double(o) + 0.5) + offset - 0.5
                let reach = Double(kernel.radius) * stretch
                var total = 0.0
                for k in Int((u - reach).rounded(.up))...Int((u + reach).rounded(.down)) {
                    let w = kernel.weight((u - Double(k)) / stretch)
                    if w != 0 { row.append((k, w)); total += w }
                }
                if total != 0 { row = row.map { ($0.0, $0.1 / total) } }
            }
            rows.append(row)
        }
        let taps = max(1, rows.map(\.count).max() ?? 1)
        var index = [Int32](repeating: 0, count: outputCount * taps)
        var weight = [Float](repeating: 0, count: outputCount * taps)
        for (o, row) in rows.enumerated() {
            for (t, (k, w)) in row.enumerated() {
                let inside = k >= 0 && k < inputCount
                if !inside && edge == .zero { continue }
                index[o * taps + t] = Int32(min(max(k, 0), inputCount - 1))
                weight[o * taps + t] = Float(w)
            }
        }
        self.taps = taps
        self.index = index
        self.weight = weight
    }

    var outputCount: Int { index.count / taps }

    /// Smallest and largest input index read with a non-zero weight (nil when none).
    var usedRange: ClosedRange<Int>? {
        var lo = Int.max, hi = Int.min
        for (i, w) in zip(index, weight) where w != 0 {
            lo = min(lo, Int(i))
            hi = max(hi, Int(i))
        }
        return lo <= hi ? lo...hi : nil
    }
}

extension ImageBuffer {
    /// Resizes to `width` x `height`, edges aligned (output pixel centres map to
    /// `(i + 0.5) * inWidth / outWidth`). Downscales widen the kernel by the scale factor, so every
    /// filter is antialiased; `area` gives exact box averages (proxies). Edges repeat.
    public func resized(width outWidth: Int, height outHeight: Int, filter: ResampleFilter = .area) -> ImageBuffer {
        precondition(outWidth >= 0 && outHeight >= 0, "resize output size must be non-negative")
        if pixelCount == 0 || outWidth * outHeight == 0 {
            return ImageBuffer(width: outWidth, height: outHeight, channels: channelNames, fill: 0)
        }
        let xTaps = TapTable(outputCount: outWidth, inputCount: width, scale: Double(width) / Double(outWidth),
                             offset: 0, filter: filter, edge: .clamp, widen: true)
        let yTaps = TapTable(outputCount: outHeight, inputCount: height, scale: Double(height) / Double(outHeight),
                             offset: 0, filter: filter, edge: .clamp, widen: true)
        return resampleSeparable(xTaps: xTaps, yTaps: yTaps)
    }

    /// A proxy `factor` times smaller on each side (rounded, at least 1 pixel), box-averaged.
    public func downscaled(by factor: Int) -> ImageBuffer {
        precondition(factor >= 1, "downscale factor must be at least 1")
        let w = max(1, Int((Double(width) / Double(factor)).rounded()))
        let h = max(1, Int((Double(height) / Double(factor)).rounded()))
        return resized(width: w, height: h, filter: .area)
    }

    /// Two passes: horizontal into a scratch block holding only the input rows used, then vertical.
    func resampleSeparable(xTaps: TapTable, yTaps: TapTable) -> ImageBuffer {
        let outWidth = xTaps.outputCount, outHeight = yTaps.outputCount
        let channels = planes.count
        guard let rows = yTaps.usedRange else {
            return ImageBuffer(width: outWidth, height: outHeight, channels: channelNames, fill: 0)
        }
        let rowCount = rows.count, first = rows.lowerBound
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: channels * rowCount * outWidth)
        defer { scratch.deallocate() }
        let planes = ImageBuffer.makePlanes(count: channels, size: outWidth * outHeight) { out in
            _ = withPlanePointers { src in
                xTaps.index.withUnsafeBufferPointer { xi in
                    xTaps.weight.withUnsafeBufferPointer { xw in
                        parallelFor(channels * rowCount) { job in
                            let c = job / rowCount, r = job % rowCount
                            let line = src[c] + (first + r) * width
                            let dst = scratch + (c * rowCount + r) * outWidth
                            let taps = xTaps.taps
                            for o in 0..<outWidth {
                                var sum: Float = 0
                                for t in 0..<taps { sum += xw[o * taps + t] * line[Int(xi[o * taps + t])] }
                                dst[o] = sum
                            }
                        }
                    }
                }
            }
            yTaps.index.withUnsafeBufferPointer { yi in
                yTaps.weight.withUnsafeBufferPointer { yw in
                    parallelFor(channels * outHeight) { job in
                        let c = job / outHeight, j = job % outHeight
                        let dst = out[c] + j * outWidth
                        dst.initialize(repeating: 0, count: outWidth)
                        for t in 0..<yTaps.taps {
                            let w = yw[j * yTaps.taps + t]
                            if w == 0 { continue }
                            let line = scratch + (c * rowCount + Int(yi[j * yTaps.taps + t]) - first) * outWidth
                            for o in 0..<outWidth { dst[o] += w * line[o] }
                        }
                    }
                }
            }
        }
        return ImageBuffer(width: outWidth, height: outHeight, channels: channelNames, planes: planes)
    }
}
