import COpenBLAS
import Support

/// OpenBLAS runs single-threaded: plateswap parallelises itself (Support.parallelFor), so there is
/// one pool of blocking worker threads instead of OpenBLAS's spinning ones fighting ours.
let blasSingleThreaded: Void = { openblas_set_num_threads(1) }()

/// Products smaller than this many multiply-adds run on one thread.
private let parallelGemmThreshold = 1 << 21

/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, with op(A) M x K and
/// op(B) K x N. Leading dimensions are row strides. With `parallel`, large products are split
/// along their longer output side over the worker threads (each slice is an independent GEMM, so
/// the result does not depend on timing).
public func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool = true) {
    _ = blasSingleThreaded
    guard m > 0, n > 0 else { return }
    if k == 0 {
        // BLAS would still scale C by beta; do it here so callers need not special-case empty sums.
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    let workers = parallel && m * n * k >= parallelGemmThreshold ? min(workerCount, max(m, n) / 16) : 1
    if workers <= 1 {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        return
    }
    let splitColumns = n >= m
    let blocks = ((splitColumns ? n : m) + 15) / 16
    parallelFor(workers, threads: workers) { w in
        let lo = blocks * w / workers * 16, hi = min(splitColumns ? n : m, blocks * (w + 1) / workers * 16)
        guard hi > lo else { return }
        if splitColumns {
            sgemm(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha, a: a, lda: lda,
                  b: transB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c: c + lo, ldc: ldc, parallel: false)
        } else {
            sgemm(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha, a: transA ? a + lo : a + lo * lda, lda: lda,
                  b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc, parallel: false)
        }
    }
}

/// OpenBLAS's own threading, for comparing against (benchmarks): runs `body` with OpenBLAS using
/// `threads` threads, then returns to single-threaded.
public func withOpenBLASThreads<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
    _ = blasSingleThreaded
    openblas_set_num_threads(Int32(threads))
    defer { openblas_set_num_threads(1) }
    return try body()
}
