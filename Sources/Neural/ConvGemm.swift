import Support

/// Convolution as im2col + sgemm, split into independent work items (image, group, band of output
/// rows). Each worker unfolds its band into its own small column buffer (about 1 MiB, so it stays
/// in cache) and multiplies it by the weights straight into the output with a single-threaded
/// GEMM: no barrier between unfolding and multiplying, and a 1024 px layer never unfolds whole.
enum ConvGemm {
    /// A 1x1, stride-1, unpadded convolution needs no unfolding: the input plane is the column matrix.
    static func isPointwise(_ g: ConvGeometry) -> Bool {
        g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad == .zero
    }

    /// Output rows per band: small enough for the column buffer budget, and enough bands in all to
    /// keep every worker busy.
    static func bandRows(_ g: ConvGeometry, budget: Int = 1 << 19) -> Int {
        let images = g.n * g.groups
        let wanted = 2 * workerCount
        let bySplit = images >= wanted ? g.ho : max(1, (g.ho * images + wanted - 1) / wanted)
        return min(isPointwise(g) ? g.ho : g.tileRows(floats: budget), bySplit)
    }

    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let p = g.planeOut
        let band = bandRows(g)
        let bands = (g.ho + band - 1) / band
        let pointwise = isPointwise(g)
        parallelRanges(g.n * g.groups * bands) { items in
            let cols = pointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: g.kg * band * g.wo)
            defer { cols?.deallocate() }
            for item in items {
                let y0 = (item % bands) * band, gr = (item / bands) % g.groups, n = item / (bands * g.groups)
                let rows = y0..<min(g.ho, y0 + band)
                let width = rows.count * g.wo
                let image = input + (n * g.c + gr * g.cg) * g.planeIn
                var b = image + y0 * g.wo, ldb = p
                if let cols {
                    Im2col.unfold(g, image: image, rows: rows, into: cols, parallel: false)
                    (b, ldb) = (UnsafePointer(cols), width)
                }
                sgemm(m: g.og, n: width, k: g.kg, a: weight + gr * g.og * g.kg, lda: g.kg, b: b, ldb: ldb,
                      c: output + (n * g.o + gr * g.og) * p + y0 * g.wo, ldc: p, parallel: false)
            }
        }
    }

    /// Gradients: `gradInput` is overwritten, `gradWeight` accumulated into. Work items are whole
    /// (image, group) pairs, so no two workers write the same input gradient; each worker sums its
    /// weight gradient privately and the sums are added in a fixed order (deterministic).
    static func backward(_ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
                         gradWeight: UnsafeMutablePointer<Float>) {
        let items = g.n * g.groups
        let perItemParallel = items < workerCount
        let workers = perItemParallel ? 1 : min(workerCount, items)
        let band = perItemParallel ? g.tileRows() : g.tileRows(floats: 1 << 18)
        let weightCount = g.o * g.kg
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: workers * weightCount)
        partials.initialize(repeating: 0, count: workers * weightCount)
        defer { partials.deallocate() }
        parallelFor(workers, threads: workers) { w in
            let tile = g.kg * band * g.wo
            let cols = UnsafeMutablePointer<Float>.allocate(capacity: tile), dcols = UnsafeMutablePointer<Float>.allocate(capacity: tile)
            defer { cols.deallocate(); dcols.deallocate() }
            let dW = partials + w * weightCount
            for item in (items * w / workers)..<(items * (w + 1) / workers) {
                let gr = item % g.groups, n = item / g.groups
                backwardItem(g, image: input + (n * g.c + gr * g.cg) * g.planeIn, weight: weight + gr * g.og * g.kg,
                             dy: gradOutput + (n * g.o + gr * g.og) * g.planeOut, dImage: gradInput + (n * g.c + gr * g.cg) * g.planeIn,
                             dW: dW + gr * g.og * g.kg, band: band, cols: cols, dcols: dcols, parallel: perItemParallel)
            }
        }
        for w in 0..<workers { for i in 0..<weightCount { gradWeight[i] += partials[w * weightCount + i] } }
    }

    private static func backwardItem(_ g: ConvGeometry, image: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     dy: UnsafePointer<Float>, dImage: UnsafeMutablePointer<Float>, dW: UnsafeMutablePointer<Float>,
                                     band: Int, cols: UnsafeMutablePointer<Float>, dcols: UnsafeMutablePointer<Float>, parallel: Bool) {
        let p = g.planeOut
        dImage.initialize(repeating: 0, count: g.cg * g.planeIn)
        if isPointwise(g) {
            sgemm(transB: true, m: g.og, n: g.kg, k: p, a: dy, lda: p, b: image, ldb: p, beta: 1, c: dW, ldc: g.kg, parallel: parallel)
            sgemm(transA: true, m: g.kg, n: p, k: g.og, a: weight, lda: g.kg, b: dy, ldb: p, c: dImage, ldc: p, parallel: parallel)
            return
        }
        for y0 in stride(from: 0, to: g.ho, by: band) {
            let rows = y0..<min(g.ho, y0 + band)
            let width = rows.count * g.wo
            Im2col.unfold(g, image: image, rows: rows, into: cols, parallel: parallel)
            sgemm(transB: true, m: g.og, n: g.kg, k: width, a: dy + y0 * g.wo, lda: p, b: cols, ldb: width,
                  beta: 1, c: dW, ldc: g.kg, parallel: parallel)
            sgemm(transA: true, m: g.kg, n: width, k: g.og, a: weight, lda: g.kg, b: dy + y0 * g.wo, ldb: p,
                  c: dcols, ldc: width, parallel: parallel)
            Im2col.foldAdd(g, cols: dcols, rows: rows, into: dImage, parallel: parallel)
        }
    }
}

