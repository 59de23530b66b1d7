import Imaging
import Support

/// The inverse-warp difference composite of one face, row-parallel over the plate region.
struct PasteBack {
    let encoding: NetworkEncoding
    let plateToCrop: AffineTransform
    let size: Int
    /// Shaped mask at crop size, 0 on the crop border.
    let mask: [Float]
    /// Colour-matched swap in the plate's colour space (R, G, B at crop size).
    let swap: ImageBuffer
    /// Plate-size holdout matte in [0, 1] taken out of the mask; empty = none.
    let holdout: [Float]

    func run(plate: inout ImageBuffer, region: CropFootprint, layers: inout SwapLayers) {
        let indices = ["R", "G", "B"].map { plate.channelIndex($0)! }
        // Planes are moved out of their buffers so the in-place writes never copy them.
        var planes = indices.map { plate.planes[$0] } + [layers.mask]
        for c in indices { plate.planes[c] = [] }
        layers.mask = []
        let keepRaw = layers.raw != nil
        if keepRaw { for c in 0..<3 { planes.append(layers.raw!.planes[c]); layers.raw!.planes[c] = [] } }

        let width = plate.width, m = plateToCrop, sampler = CropSampler(size: size), encoding = self.encoding
        // OCIO spaces: the round trip of the whole region in one call each way, not one per pixel.
        let regionTrip = encoding.usesOCIO ? encoding.roundTrip(Self.cut(planes, width: width, region: region)) : nil
        let crop = swap.planes + [mask] + (regionTrip?.planes ?? []), tripped = regionTrip != nil
        let held = !holdout.isEmpty, holdIndex = crop.count
        withPointers(crop + (held ? [holdout] : [])) { src in
            withMutablePointers(&planes) { dst in
                parallelFor(region.height) { row in
                    let y = region.y0 + row
                    for x in region.x0..<(region.x0 + region.width) {
                        let (u, v) = m.apply(Double(x) + 0.5, Double(y) + 0.5)
                        guard let taps = sampler.taps(u, v) else { continue }
                        let i = y * width + x
                        let swapValue = SIMD3(taps.readSharp(src[0]), taps.readSharp(src[1]), taps.readSharp(src[2]))
                        if keepRaw { dst[4][i] = swapValue.x; dst[5][i] = swapValue.y; dst[6][i] = swapValue.z }
                        // Under a holdout of 1 the weight is exactly 0 and the plate pixel is skipped.
                        let w = held ? taps.read(src[3]) * (1 - src[holdIndex][i]) : taps.read(src[3])
                        guard w > 0 else { continue }
                        dst[3][i] = max(dst[3][i], w)
                        let p = SIMD3(dst[0][i], dst[1][i], dst[2][i])
                        let seen = !tripped ? encoding.roundTrip(p)
                            : { let j = (y - region.y0) * region.width + (x - region.x0); return SIMD3(src[4][j], src[5][j], src[6][j]) }()
                        var out = p + w * (swapValue - seen)
                        // A non-finite plate value cannot be blended with: the swap replaces it.
                        out.replace(with: swapValue, where: .!((p - p) .== SIMD3<Float>.zero))
                        dst[0][i] = out.x; dst[1][i] = out.y; dst[2][i] = out.z
                    }
                }
            }
        }
        for (k, c) in indices.enumerated() { plate.planes[c] = planes[k] }
        layers.mask = planes[3]
        if keepRaw { for c in 0..<3 { layers.raw!.planes[c] = planes[4 + c] } }
    }

    /// R, G, B of `region` out of full-size planes.
    static func cut(_ planes: [[Float]], width: Int, region: CropFootprint) -> ImageBuffer {
        var out = ImageBuffer(width: region.width, height: region.height, channels: ["R", "G", "B"])
        for c in 0..<3 {
            for y in 0..<region.height {
                let row = (region.y0 + y) * width + region.x0
                out.planes[c].replaceSubrange((y * region.width)..<((y + 1) * region.width), with: planes[c][row..<(row + region.width)])
            }
        }
        return out
    }
}

/// Read pointers to every plane, for loops that must not copy or bounds-check.
func withPointers<R>(_ planes: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
    var pointers: [UnsafePointer<Float>] = []
    func level(_ i: Int) -> R {
        if i == planes.count { return body(pointers) }
        return planes[i].withUnsafeBufferPointer { p in
            pointers.append(p.baseAddress!)
            return level(i + 1)
        }
    }
    return level(0)
}

/// Write pointers to every plane; each plane is moved out while in use, so none is copied.
func withMutablePointers<R>(_ planes: inout [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<Float>] = []
    func level(_ i: Int) -> R {
        if i == planes.count { return body(pointers) }
        var plane = planes[i]
        planes[i] = []
        defer { planes[i] = plane }
        return plane.withUnsafeMutableBufferPointer { p in
            pointers.append(p.baseAddress!)
            return level(i + 1)
        }
    }
    return level(0)
}

/// Bilinear taps into a crop at continuous crop coordinates (pixel-centre convention), clamped at
/// the edges; nil outside the crop.
struct CropSampler {
    let size: Int

    struct Taps {
        let i00: Int, i10: Int, i01: Int, i11: Int
        let fx: Float, fy: Float
        /// The 4 columns and rows around the sample (edges repeated) and their Catmull-Rom weights.
        let columns: SIMD4<Int>, rows: SIMD4<Int>
        let wx: SIMD4<Float>, wy: SIMD4<Float>

        /// Bilinear (the mask: its weights stay in [0, 1] and exactly 0 where the mask is).
        @inline(__always) func read(_ p: UnsafePointer<Float>) -> Float {
            let top = p[i00] + fx * (p[i10] - p[i00])
            let bottom = p[i01] + fx * (p[i11] - p[i01])
            return top + fy * (bottom - top)
        }

        /// Catmull-Rom, clamped to the range of the 2x2 neighbours (the face pixels). A crop pasted
        /// back at a fractional offset through a bilinear tent loses a quarter of its fine detail
        /// (a second blur after the crop's own resampling); the cubic keeps it, and the clamp
        /// removes its overshoot, so an edge never rings into a halo.
        @inline(__always) func readSharp(_ p: UnsafePointer<Float>) -> Float {
            var sum: Float = 0
            for j in 0..<4 {
                let row = rows[j]
                let line = wx[0] * p[row + columns[0]] + wx[1] * p[row + columns[1]] + wx[2] * p[row + columns[2]] + wx[3] * p[row + columns[3]]
                sum += wy[j] * line
            }
            let lo = min(min(p[i00], p[i10]), min(p[i01], p[i11])), hi = max(max(p[i00], p[i10]), max(p[i01], p[i11]))
            return min(max(sum, lo), hi)
        }
    }

    /// Catmull-Rom (Keys, a = -0.5) weights of the 4 taps around fraction `t`.
    @inline(__always) static func cubicWeights(_ t: Float) -> SIMD4<Float> {
        let t2 = t * t, t3 = t2 * t
        return SIMD4(-0.5 * t3 + t2 - 0.5 * t, 1.5 * t3 - 2.5 * t2 + 1, -1.5 * t3 + 2 * t2 + 0.5 * t, 0.5 * t3 - 0.5 * t2)
    }

    @inline(__always) func taps(_ u: Double, _ v: Double) -> Taps? {
        let s = Double(size)
        guard u >= 0, v >= 0, u <= s, v <= s else { return nil }
        let x = min(max(u - 0.5, 0), s - 1), y = min(max(v - 0.5, 0), s - 1)
        let x0 = min(Int(x), size - 1), y0 = min(Int(y), size - 1)
        let x1 = min(x0 + 1, size - 1), y1 = min(y0 + 1, size - 1)
        @inline(__always) func clamp(_ i: Int) -> Int { min(max(i, 0), size - 1) }
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        return Taps(i00: y0 * size + x0, i10: y0 * size + x1, i01: y1 * size + x0, i11: y1 * size + x1, fx: fx, fy: fy,
                    columns: SIMD4(clamp(x0 - 1), x0, x1, clamp(x0 + 2)),
                    rows: SIMD4(clamp(y0 - 1) * size, y0 * size, y1 * size, clamp(y0 + 2) * size),
                    wx: CropSampler.cubicWeights(fx), wy: CropSampler.cubicWeights(fy))
    }
}
