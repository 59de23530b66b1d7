import Support

/// Convolution as tiled im2col + sgemm: per image, group and band of output rows, unfold the input
/// (a few MiB at most) and multiply by the weight matrix straight into the output.
enum ConvGemm {
    /// A 1x1, stride-1, unpadded convolution needs no unfolding: the input plane is the column matrix.
    static func isPointwise(_ g: ConvGeometry) -> Bool {
        g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad == .zero
    }

    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let p = g.planeOut
        if isPointwise(g) {
            for n in 0..<g.n { for gr in 0..<g.groups {
                sgemm(m: g.og, n: p, k: g.kg, a: weight + gr * g.og * g.kg, lda: g.kg,
                      b: input + (n * g.c + gr * g.cg) * g.planeIn, ldb: p, c: output + (n * g.o + gr * g.og) * p, ldc: p)
            } }
            return
        }
        let band = g.tileRows()
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.kg * band * g.wo)
        defer { cols.deallocate() }
        for n in 0..<g.n {
            for gr in 0..<g.groups {
                let image = input + (n * g.c + gr * g.cg) * g.planeIn
                let out = output + (n * g.o + gr * g.og) * p
                for y0 in stride(from: 0, to: g.ho, by: band) {
                    let rows = y0..<min(g.ho, y0 + band)
                    Im2col.unfold(g, image: image, rows: rows, into: cols)
                    let width = rows.count * g.wo
                    sgemm(m: g.og, n: width, k: g.kg, a: weight + gr * g.og * g.kg, lda: g.kg,
                          b: cols, ldb: width, c: out + y0 * g.wo, ldc: p)
                }
            }
        }
    }

    /// Gradients: `gradInput` (if given) is overwritten, `gradWeight` accumulated into.
    static func backward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         gradWeight: UnsafeMutablePointer<Float>?) {
        let p = g.planeOut
        gradInput?.initialize(repeating: 0, count: g.n * g.c * g.planeIn)
        let pointwise = isPointwise(g)
        let band = pointwise ? g.ho : g.tileRows()
        let tile = g.kg * band * g.wo
        let cols = pointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: tile)
        let dcols = UnsafeMutablePointer<Float>.allocate(capacity: tile)
        defer { cols?.deallocate(); dcols.deallocate() }
        for n in 0..<g.n {
            for gr in 0..<g.groups {
                let image = input + (n * g.c + gr * g.cg) * g.planeIn
                let dy = gradOutput + (n * g.o + gr * g.og) * p
                let w = weight + gr * g.og * g.kg
                for y0 in stride(from: 0, to: g.ho, by: band) {
                    let rows = y0..<min(g.ho, y0 + band)
                    let width = rows.count * g.wo
                    let colsTile: UnsafePointer<Float>
                    if let cols {
                        Im2col.unfold(g, image: image, rows: rows, into: cols)
                        colsTile = UnsafePointer(cols)
                    } else {
                        colsTile = image
                    }
                    if let gradWeight {
                        sgemm(transB: true, m: g.og, n: g.kg, k: width, a: dy + y0 * g.wo, lda: p, b: colsTile, ldb: width,
                              beta: 1, c: gradWeight + gr * g.og * g.kg, ldc: g.kg)
                    }
                    if let gradInput {
                        let dImage = gradInput + (n * g.c + gr * g.cg) * g.planeIn
                        if pointwise {
                            sgemm(transA: true, m: g.kg, n: width, k: g.og, a: w, lda: g.kg, b: dy, ldb: p, c: dImage, ldc: width)
                        } else {
                            sgemm(transA: true, m: g.kg, n: width, k: g.og, a: w, lda: g.kg, b: dy + y0 * g.wo, ldb: p, c: dcols, ldc: width)
                            Im2col.foldAdd(g, cols: dcols, rows: rows, into: dImage)
                        }
                    }
                }
            }
        }
    }
}

/// Direct convolution for layers with few outputs per group (thin output layers, depthwise): in
/// GEMM form they are memory-bound, here each input row is read once for all outputs of a group.
enum ConvDirect {
    static let maxOutputsPerGroup = 8
    private static let tileWidth = 256

    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let og = g.og
        // One task per (image, group, output row): enough parallelism, outputs never shared.
        parallelFor(g.n * g.groups * g.ho) { task in
            let oy = task % g.ho, gr = (task / g.ho) % g.groups, n = task / (g.ho * g.groups)
            let image = input + (n * g.c + gr * g.cg) * g.planeIn
            let w = weight + gr * og * g.kg
            let out = output + (n * g.o + gr * og) * g.planeOut + oy * g.wo
            withUnsafeTemporaryAllocation(of: Float.self, capacity: og * tileWidth) { accBuffer in
                let acc = accBuffer.baseAddress!
                for x0 in stride(from: 0, to: g.wo, by: tileWidth) {
                    let x1 = min(g.wo, x0 + tileWidth)
                    acc.initialize(repeating: 0, count: og * tileWidth)
                    for ci in 0..<g.cg {
                        for ky in 0..<g.kh {
                            let iy = oy * g.stride + ky * g.dilation - g.pad.top
                            if iy < 0 || iy >= g.h { continue }
                            let row = image + ci * g.planeIn + iy * g.w
                            for kx in 0..<g.kw {
                                let valid = g.validColumns(kx: kx).clamped(to: x0..<x1)
                                if valid.isEmpty { continue }
                                let src = row + kx * g.dilation - g.pad.left
                                for oc in 0..<og {
                                    let k = w[(oc * g.cg + ci) * g.kh * g.kw + ky * g.kw + kx]
                                    let a = acc + oc * tileWidth - x0
                                    if g.stride == 1 {
                                        for ox in valid { a[ox] += k * src[ox] }
                                    } else {
                                        for ox in valid { a[ox] += k * src[ox * g.stride] }
                                    }
                                }
                            }
                        }
                    }
                    for oc in 0..<og {
                        (out + oc * g.planeOut + x0).update(from: acc + oc * tileWidth, count: x1 - x0)
                    }
                }
            }
        }
    }
}
