import Support

/// im2col and its adjoint col2im for output rows `rows` of one image and one group. The column
/// matrix is [kg, rows.count * wo] with row index (cIn, ky, kx), as PyTorch orders conv weights.
enum Im2col {
    static func unfold(_ g: ConvGeometry, image: UnsafePointer<Float>, rows: Range<Int>, into cols: UnsafeMutablePointer<Float>,
                       parallel: Bool = true) {
        let tileWidth = rows.count * g.wo
        let kk = g.kh * g.kw
        parallelFor(g.kg, threads: parallel ? workerCount : 1) { r in
            let ci = r / kk, ky = (r % kk) / g.kw, kx = r % g.kw
            let plane = image + ci * g.planeIn
            let valid = g.validColumns(kx: kx)
            let shift = kx * g.dilation - g.pad.left
            var dst = cols + r * tileWidth
            for oy in rows {
                let iy = oy * g.stride + ky * g.dilation - g.pad.top
                if iy < 0 || iy >= g.h || valid.isEmpty {
                    dst.initialize(repeating: 0, count: g.wo)
                } else {
                    let src = plane + iy * g.w + shift
                    if valid.lowerBound > 0 { dst.initialize(repeating: 0, count: valid.lowerBound) }
                    if g.stride == 1 {
                        (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
                    } else {
                        for ox in valid { dst[ox] = src[ox * g.stride] }
                    }
                    if valid.upperBound < g.wo { (dst + valid.upperBound).initialize(repeating: 0, count: g.wo - valid.upperBound) }
                }
                dst += g.wo
            }
        }
    }

    /// Adds the columns back into the image gradient (the adjoint of `unfold`). Parallel over input
    /// channels, so no two threads write the same plane.
    static func foldAdd(_ g: ConvGeometry, cols: UnsafePointer<Float>, rows: Range<Int>, into image: UnsafeMutablePointer<Float>,
                        parallel: Bool = true) {
        let tileWidth = rows.count * g.wo
        let kk = g.kh * g.kw
        parallelFor(g.cg, threads: parallel ? workerCount : 1) { ci in
            let plane = image + ci * g.planeIn
            for ky in 0..<g.kh {
                for kx in 0..<g.kw {
                    let valid = g.validColumns(kx: kx)
                    if valid.isEmpty { continue }
                    let shift = kx * g.dilation - g.pad.left
                    var src = cols + (ci * kk + ky * g.kw + kx) * tileWidth
                    for oy in rows {
                        let iy = oy * g.stride + ky * g.dilation - g.pad.top
                        if iy >= 0 && iy < g.h {
                            let dst = plane + iy * g.w + shift
                            if g.stride == 1 {
                                for ox in valid { dst[ox] += src[ox] }
                            } else {
                                for ox in valid { dst[ox * g.stride] += src[ox] }
                            }
                        }
                        src += g.wo
                    }
                }
            }
        }
    }
}
