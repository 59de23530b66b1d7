import Support

/// Direct convolution for layers with few outputs per group (thin output layers, depthwise): in
/// GEMM form they are memory-bound, here each output row is computed from a zero-padded panel of
/// the input rows it needs, with SIMD accumulators held in registers.
enum ConvDirect {
    static let maxOutputsPerGroup = 8
    /// Output pixels per register block: 4 vectors of 8.
    private static let block = 32

    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let og = g.og, kk = g.kh * g.kw
        let blocks = (g.wo + block - 1) / block
        // The panel holds, for each (input channel, ky), the padded input row an output row reads.
        let panelWidth = ((blocks * block - 1) * g.stride + (g.kw - 1) * g.dilation + 1 + 7) & ~7
        let panelRows = g.cg * g.kh
        // One task per (image, group, output row): outputs are never shared between tasks.
        parallelRanges(g.n * g.groups * g.ho) { tasks in
            let panel = UnsafeMutablePointer<Float>.allocate(capacity: panelRows * panelWidth + 8)
            let result = UnsafeMutablePointer<Float>.allocate(capacity: og * blocks * block)
            defer { panel.deallocate(); result.deallocate() }
            for task in tasks {
                let oy = task % g.ho, gr = (task / g.ho) % g.groups, n = task / (g.ho * g.groups)
                let image = input + (n * g.c + gr * g.cg) * g.planeIn
                fillPanel(g, image: image, oy: oy, panel: panel, width: panelWidth)
                let w = weight + gr * og * g.cg * kk
                if g.stride == 1 {
                    stride1Row(g, panel: panel, width: panelWidth, rows: panelRows, weight: w, og: og, blocks: blocks, result: result)
                } else {
                    for oc in 0..<og { for b in 0..<blocks {
                        accumulateStrided(g, panel: panel + b * block * g.stride, width: panelWidth, rows: panelRows,
                                          weight: w + oc * g.cg * kk, out: result + oc * blocks * block + b * block)
                    } }
                }
                for oc in 0..<og {
                    (output + (n * g.o + gr * og + oc) * g.planeOut + oy * g.wo).update(from: result + oc * blocks * block, count: g.wo)
                }
            }
        }
    }

    /// One output row, stride 1: pairs of output channels share each panel load (8 independent
    /// FMA chains); a last odd channel takes two blocks at once for the same reason.
    private static func stride1Row(_ g: ConvGeometry, panel: UnsafePointer<Float>, width: Int, rows: Int,
                                   weight: UnsafePointer<Float>, og: Int, blocks: Int, result: UnsafeMutablePointer<Float>) {
        let wStride = g.cg * g.kh * g.kw, rStride = blocks * block
        var oc = 0
        while oc + 1 < og {
            for b in 0..<blocks {
                accumulatePair(g, panel: panel + b * block, width: width, rows: rows, w0: weight + oc * wStride, w1: weight + (oc + 1) * wStride,
                               out0: result + oc * rStride + b * block, out1: result + (oc + 1) * rStride + b * block)
            }
            oc += 2
        }
        if oc < og {
            var b = 0
            while b + 1 < blocks {
                accumulatePair(g, panel: panel + b * block, width: width, rows: rows, w0: weight + oc * wStride, w1: weight + oc * wStride,
                               out0: result + oc * rStride + b * block, out1: result + oc * rStride + (b + 1) * block, secondOffset: block)
                b += 2
            }
            if b < blocks {
                accumulatePair(g, panel: panel + b * block, width: width, rows: rows, w0: weight + oc * wStride, w1: weight + oc * wStride,
                               out0: result + oc * rStride + b * block, out1: nil)
            }
        }
    }

    /// panel[(ci * kh + ky) * width + j] = input[ci, iy(ky), j - left], zero outside the image.
    private static func fillPanel(_ g: ConvGeometry, image: UnsafePointer<Float>, oy: Int, panel: UnsafeMutablePointer<Float>, width: Int) {
        for ci in 0..<g.cg {
            for ky in 0..<g.kh {
                let row = panel + (ci * g.kh + ky) * width
                let iy = oy * g.stride + ky * g.dilation - g.pad.top
                guard iy >= 0 && iy < g.h else { row.initialize(repeating: 0, count: width); continue }
                let lo = min(width, g.pad.left), hi = min(width, g.pad.left + g.w)
                row.initialize(repeating: 0, count: lo)
                if hi > lo { (row + lo).update(from: image + ci * g.planeIn + iy * g.w, count: hi - lo) }
                if width > hi { (row + hi).initialize(repeating: 0, count: width - hi) }
            }
        }
    }

    @inline(__always)
    private static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// 32 outputs for each of two weight sets (w0 at panel, w1 at panel + secondOffset):
    /// sum over panel rows and kx of weight * panel[x + kx*dilation]. With `out1` nil only w0 runs.
    @inline(__always)
    private static func accumulatePair(_ g: ConvGeometry, panel: UnsafePointer<Float>, width: Int, rows: Int,
                                       w0: UnsafePointer<Float>, w1: UnsafePointer<Float>,
                                       out0: UnsafeMutablePointer<Float>, out1: UnsafeMutablePointer<Float>?, secondOffset: Int = 0) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
        if let out1 {
            for r in 0..<rows {
                let row = panel + r * width
                for kx in 0..<g.kw {
                    let p = row + kx * g.dilation, q = p + secondOffset
                    let k0 = SIMD8<Float>(repeating: w0[r * g.kw + kx]), k1 = SIMD8<Float>(repeating: w1[r * g.kw + kx])
                    let v0 = load8(p), v1 = load8(p + 8), v2 = load8(p + 16), v3 = load8(p + 24)
                    let u0 = secondOffset == 0 ? v0 : load8(q), u1 = secondOffset == 0 ? v1 : load8(q + 8)
                    let u2 = secondOffset == 0 ? v2 : load8(q + 16), u3 = secondOffset == 0 ? v3 : load8(q + 24)
                    a0.addProduct(k0, v0); a1.addProduct(k0, v1); a2.addProduct(k0, v2); a3.addProduct(k0, v3)
                    b0.addProduct(k1, u0); b1.addProduct(k1, u1); b2.addProduct(k1, u2); b3.addProduct(k1, u3)
                }
            }
            store8(out1, b0, b1, b2, b3)
        } else {
            for r in 0..<rows {
                let row = panel + r * width
                for kx in 0..<g.kw {
                    let p = row + kx * g.dilation
                    let k0 = SIMD8<Float>(repeating: w0[r * g.kw + kx])
                    a0.addProduct(k0, load8(p)); a1.addProduct(k0, load8(p + 8)); a2.addProduct(k0, load8(p + 16)); a3.addProduct(k0, load8(p + 24))
                }
            }
        }
        store8(out0, a0, a1, a2, a3)
    }

    @inline(__always)
    private static func store8(_ out: UnsafeMutablePointer<Float>, _ a0: SIMD8<Float>, _ a1: SIMD8<Float>, _ a2: SIMD8<Float>, _ a3: SIMD8<Float>) {
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: a0, as: SIMD8<Float>.self)
        raw.storeBytes(of: a1, toByteOffset: 32, as: SIMD8<Float>.self)
        raw.storeBytes(of: a2, toByteOffset: 64, as: SIMD8<Float>.self)
        raw.storeBytes(of: a3, toByteOffset: 96, as: SIMD8<Float>.self)
    }

    private static func accumulateStrided(_ g: ConvGeometry, panel: UnsafePointer<Float>, width: Int, rows: Int,
                                          weight: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
        out.initialize(repeating: 0, count: block)
        for r in 0..<rows {
            let row = panel + r * width
            for kx in 0..<g.kw {
                let k = weight[r * g.kw + kx], p = row + kx * g.dilation
                for x in 0..<block { out[x] += k * p[x * g.stride] }
            }
        }
    }
}
