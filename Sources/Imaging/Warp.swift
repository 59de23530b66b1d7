import Support

extension ImageBuffer {
    /// Resamples this image through an affine map into a new `width` x `height` image.
    ///
    /// `matrix` maps **output** pixel coordinates to **input** pixel coordinates (the inverse of the
    /// "image to crop" transform): output pixel `(i, j)` takes the filtered input value at
    /// `matrix.apply(i + 0.5, j + 0.5)`. See `AffineTransform` for the pixel-centre convention.
    /// `bilinear`, `bicubic` and `lanczos3` interpolate without widening the kernel (use `area`, or
    /// `resized`, when shrinking by more than about 1.5x). `area` averages the output pixel's
    /// footprint: exactly for axis-aligned maps, with a supersampling grid of bilinear samples
    /// (ceil(scale) per axis) for rotating ones. Every channel is warped.
    public func warpAffine(matrix: AffineTransform, width outWidth: Int, height outHeight: Int,
                           filter: ResampleFilter = .bilinear, edge: EdgeMode = .zero) -> ImageBuffer {
        warpAffine(matrix: matrix, width: outWidth, height: outHeight, filter: filter, edge: edge, allowSeparable: true)
    }

    /// Same as `warpAffine(matrix:...)` given the forward map (input -> output), which it inverts.
    /// Returns nil when the map is singular.
    public func warpAffine(inputToOutput forward: AffineTransform, width outWidth: Int, height outHeight: Int,
                           filter: ResampleFilter = .bilinear, edge: EdgeMode = .zero) -> ImageBuffer? {
        guard let inverse = forward.inverse else { return nil }
        return warpAffine(matrix: inverse, width: outWidth, height: outHeight, filter: filter, edge: edge)
    }

    /// `allowSeparable: false` forces the general per-pixel path (tests compare the two).
    func warpAffine(matrix m: AffineTransform, width outWidth: Int, height outHeight: Int,
                    filter: ResampleFilter, edge: EdgeMode, allowSeparable: Bool) -> ImageBuffer {
        precondition(outWidth >= 0 && outHeight >= 0, "warp output size must be non-negative")
        if pixelCount == 0 || outWidth * outHeight == 0 {
            return ImageBuffer(width: outWidth, height: outHeight, channels: channelNames, fill: 0)
        }
        if allowSeparable, m.b == 0, m.d == 0, m.a != 0, m.e != 0 {
            let xTaps = TapTable(outputCount: outWidth, inputCount: width, scale: m.a, offset: m.c,
                                 filter: filter, edge: edge, widen: false)
            let yTaps = TapTable(outputCount: outHeight, inputCount: height, scale: m.e, offset: m.f,
                                 filter: filter, edge: edge, widen: false)
            return resampleSeparable(xTaps: xTaps, yTaps: yTaps)
        }
        let planes = ImageBuffer.makePlanes(count: planes.count, size: outWidth * outHeight) { out in
            _ = withPlanePointers { src in
                let plan = WarpPlan(src: src, out: out, srcWidth: width, srcHeight: height,
                                    outWidth: outWidth, matrix: m, edge: edge)
                parallelFor(outHeight) { j in
                    switch filter {
                    case .bilinear: plan.row(j, BilinearTaps.self)
                    case .bicubic: plan.row(j, BicubicTaps.self)
                    case .lanczos3: plan.row(j, Lanczos3Taps.self)
                    case .area: plan.areaRow(j)
                    }
                }
            }
        }
        return ImageBuffer(width: outWidth, height: outHeight, channels: channelNames, planes: planes)
    }
}

extension ImageBuffer {
    /// Resamples this image through any map into an image of its size: output pixel `(i, j)` takes
    /// the `filter`ed input value at `source((i + 0.5, j + 0.5))`, pixel-centre convention as
    /// `warpAffine`. `area` is not offered (its footprint needs the map's local scale).
    public func warped(by source: (SIMD2<Double>) -> SIMD2<Double>, filter: ResampleFilter = .bilinear,
                       edge: EdgeMode = .zero) -> ImageBuffer {
        precondition(filter != .area, "a warp through a general map samples points: bilinear, bicubic or lanczos3")
        if pixelCount == 0 { return self }
        let planes = ImageBuffer.makePlanes(count: planes.count, size: pixelCount) { out in
            _ = withPlanePointers { src in
                let plan = WarpPlan(src: src, out: out, srcWidth: width, srcHeight: height,
                                    outWidth: width, matrix: .identity, edge: edge)
                parallelFor(height) { j in
                    switch filter {
                    case .bilinear: plan.mappedRow(j, BilinearTaps.self, source)
                    case .bicubic: plan.mappedRow(j, BicubicTaps.self, source)
                    case .lanczos3: plan.mappedRow(j, Lanczos3Taps.self, source)
                    case .area: break
                    }
                }
            }
        }
        return ImageBuffer(width: width, height: height, channels: channelNames, planes: planes)
    }
}

/// The general warp: per output pixel, per-axis kernel weights, then a weighted sum per channel.
private struct WarpPlan {
    let src: [UnsafePointer<Float>]
    let out: [UnsafeMutablePointer<Float>]
    let srcWidth: Int, srcHeight: Int, outWidth: Int
    let matrix: AffineTransform
    let edge: EdgeMode

    func row<K: TapKernel>(_ j: Int, _ kernel: K.Type) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: src.count) { acc in
            let y = Double(j) + 0.5
            for i in 0..<outWidth {
                let x = Double(i) + 0.5
                acc.initialize(repeating: 0)
                accumulate(K.self, matrix.a * x + matrix.b * y + matrix.c, matrix.d * x + matrix.e * y + matrix.f,
                           weight: 1, into: acc)
                for c in 0..<out.count { out[c][j * outWidth + i] = acc[c] }
            }
        }
    }

    /// The same through a general map (`ImageBuffer.warped(by:)`) instead of `matrix`.
    func mappedRow<K: TapKernel>(_ j: Int, _ kernel: K.Type, _ source: (SIMD2<Double>) -> SIMD2<Double>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: src.count) { acc in
            for i in 0..<outWidth {
                let p = source(SIMD2(Double(i) + 0.5, Double(j) + 0.5))
                acc.initialize(repeating: 0)
                accumulate(K.self, p.x, p.y, weight: 1, into: acc)
                for c in 0..<out.count { out[c][j * outWidth + i] = acc[c] }
            }
        }
    }

    /// Box average approximated by an n x m grid of bilinear samples inside the output pixel.
    func areaRow(_ j: Int) {
        let m = matrix
        let nx = max(1, min(64, Int((hypot(m.a, m.d) - 1e-9).rounded(.up))))
        let ny = max(1, min(64, Int((hypot(m.b, m.e) - 1e-9).rounded(.up))))
        let w = Float(1) / Float(nx * ny)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: src.count) { acc in
            for i in 0..<outWidth {
                acc.initialize(repeating: 0)
                for sy in 0..<ny {
                    let y = Double(j) + (Double(sy) + 0.5) / Double(ny)
                    for sx in 0..<nx {
                        let x = Double(i) + (Double(sx) + 0.5) / Double(nx)
                        accumulate(BilinearTaps.self, m.a * x + m.b * y + m.c, m.d * x + m.e * y + m.f,
                                   weight: w, into: acc)
                    }
                }
                for c in 0..<out.count { out[c][j * outWidth + i] = acc[c] }
            }
        }
    }

    /// Adds `weight` x the filtered input value at continuous point (x, y) to `acc`, per channel.
    @inline(__always)
    func accumulate<K: TapKernel>(_ kernel: K.Type, _ x: Double, _ y: Double, weight: Float,
                                  into acc: UnsafeMutableBufferPointer<Float>) {
        guard x.isFinite, y.isFinite, abs(x) < 1e9, abs(y) < 1e9 else { return }
        let u = x - 0.5, v = y - 0.5
        let fx = u.rounded(.down), fy = v.rounded(.down)
        let wx = K.weights(Float(u - fx)), wy = K.weights(Float(v - fy))
        let r = K.radius, taps = 2 * r
        let x0 = Int(fx) - (r - 1), y0 = Int(fy) - (r - 1)
        if x0 >= 0, y0 >= 0, x0 + taps <= srcWidth, y0 + taps <= srcHeight {
            for c in 0..<src.count {
                var sum: Float = 0
                for ty in 0..<taps {
                    let rowPointer = src[c] + (y0 + ty) * srcWidth + x0
                    var line: Float = 0
                    for tx in 0..<taps { line += wx[tx] * rowPointer[tx] }
                    sum += wy[ty] * line
                }
                acc[c] += weight * sum
            }
            return
        }
        // Near the border: the same sum with each tap clamped or dropped (kept apart from the fast path above).
        if edge == .zero, x0 + taps <= 0 || y0 + taps <= 0 || x0 >= srcWidth || y0 >= srcHeight { return }
        for c in 0..<src.count {
            var sum: Float = 0
            for ty in 0..<taps {
                var yy = y0 + ty
                if yy < 0 || yy >= srcHeight {
                    if edge == .zero { continue }
                    yy = min(max(yy, 0), srcHeight - 1)
                }
                let rowPointer = src[c] + yy * srcWidth
                var line: Float = 0
                for tx in 0..<taps {
                    var xx = x0 + tx
                    if xx < 0 || xx >= srcWidth {
                        if edge == .zero { continue }
                        xx = min(max(xx, 0), srcWidth - 1)
                    }
                    line += wx[tx] * rowPointer[xx]
                }
                sum += wy[ty] * line
            }
            acc[c] += weight * sum
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
