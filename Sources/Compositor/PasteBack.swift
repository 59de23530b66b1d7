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

    func run(plate: inout ImageBuffer, region: CropFootprint, layers: inout SwapLayers) {
        let indices = ["R", "G", "B"].map { plate.channelIndex($0)! }
        // Planes are moved out of their buffers so the in-place writes never copy them.
        var planes = indices.map { plate.planes[$0] } + [layers.mask]
        for c in indices { plate.planes[c] = [] }
        layers.mask = []
        let keepRaw = layers.raw != nil
        if keepRaw { for c in 0..<3 { planes.append(layers.raw!.planes[c]); layers.raw!.planes[c] = [] } }

        let width = plate.width, m = plateToCrop, sampler = CropSampler(size: size), encoding = self.encoding
        let crop = swap.planes + [mask]
        withPointers(crop) { src in
            withMutablePointers(&planes) { dst in
                parallelFor(region.height) { row in
                    let y = region.y0 + row
                    for x in region.x0..<(region.x0 + region.width) {
                        let (u, v) = m.apply(Double(x) + 0.5, Double(y) + 0.5)
                        guard let taps = sampler.taps(u, v) else { continue }
                        let i = y * width + x
                        let swapValue = SIMD3(taps.read(src[0]), taps.read(src[1]), taps.read(src[2]))
                        if keepRaw { dst[4][i] = swapValue.x; dst[5][i] = swapValue.y; dst[6][i] = swapValue.z }
                        let w = taps.read(src[3])
                        guard w > 0 else { continue }
                        dst[3][i] = max(dst[3][i], w)
                        let p = SIMD3(dst[0][i], dst[1][i], dst[2][i])
                        var out = p + w * (swapValue - encoding.roundTrip(p))
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
        @inline(__always) func read(_ p: UnsafePointer<Float>) -> Float {
            let top = p[i00] + fx * (p[i10] - p[i00])
            let bottom = p[i01] + fx * (p[i11] - p[i01])
            return top + fy * (bottom - top)
        }
    }

    @inline(__always) func taps(_ u: Double, _ v: Double) -> Taps? {
        let s = Double(size)
        guard u >= 0, v >= 0, u <= s, v <= s else { return nil }
        let x = min(max(u - 0.5, 0), s - 1), y = min(max(v - 0.5, 0), s - 1)
        let x0 = min(Int(x), size - 1), y0 = min(Int(y), size - 1)
        let x1 = min(x0 + 1, size - 1), y1 = min(y0 + 1, size - 1)
        return Taps(i00: y0 * size + x0, i10: y0 * size + x1, i01: y1 * size + x0, i11: y1 * size + x1,
                    fx: Float(x - Double(x0)), fy: Float(y - Double(y0)))
    }
}
