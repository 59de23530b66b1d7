/// Scaled dot-product attention: softmax(q k^T * scale) v, with q [B, L, D], k [B, S, D],
/// v [B, S, Dv] -> [B, L, Dv]; scale defaults to 1/sqrt(D). Inference processes query rows in
/// blocks so the score matrix stays small even for 128x128 = 16384 spatial positions.
struct AttentionShape {
    let b: Int, l: Int, s: Int, d: Int, dv: Int
    init(_ q: [Int], _ k: [Int], _ v: [Int]) {
        shapeCheck(q.count == 3 && k.count == 3 && v.count == 3, "attention expects rank-3 q, k, v; got \(q), \(k), \(v)")
        shapeCheck(q[0] == k[0] && k[0] == v[0] && q[2] == k[2] && k[1] == v[1],
                   "attention shapes q \(q), k \(k), v \(v) do not fit ([B,L,D], [B,S,D], [B,S,Dv])")
        (b, l, s, d, dv) = (q[0], q[1], k[1], q[2], v[2])
    }
}

public func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float? = nil) -> Tensor {
    let a = AttentionShape(q.shape, k.shape, v.shape)
    let sc = scale ?? 1 / Float(a.d).squareRoot()
    let block = max(1, min(a.l, (1 << 22) / max(1, a.s)))
    var out = Tensor.zeros([a.b, a.l, a.dv])
    var scores = Tensor.zeros([1, block, a.s])
    q.data.withUnsafeBufferPointer { qp in k.data.withUnsafeBufferPointer { kp in v.data.withUnsafeBufferPointer { vp in
        out.data.withUnsafeMutableBufferPointer { op in
            for bi in 0..<a.b {
                for r0 in stride(from: 0, to: a.l, by: block) {
                    let rows = min(block, a.l - r0)
                    scores.shape = [1, rows, a.s]
                    scores.data.withUnsafeMutableBufferPointer { sp in
                        sgemm(transB: true, m: rows, n: a.s, k: a.d, alpha: sc, a: qp.baseAddress! + (bi * a.l + r0) * a.d, lda: a.d,
                              b: kp.baseAddress! + bi * a.s * a.d, ldb: a.d, c: sp.baseAddress!, ldc: a.s)
                    }
                    let probs = softmax(Tensor(shape: [rows, a.s], data: Array(scores.data[0..<(rows * a.s)])), axis: 1)
                    probs.data.withUnsafeBufferPointer { pp in
                        sgemm(m: rows, n: a.dv, k: a.s, a: pp.baseAddress!, lda: a.s, b: vp.baseAddress! + bi * a.s * a.dv, ldb: a.dv,
                              c: op.baseAddress! + (bi * a.l + r0) * a.dv, ldc: a.dv)
                    }
                }
            }
        } } } }
    return out
}

/// Batched matrix product [B, M, K] x [B, K, N] (with optional transposes of the operands' last two axes).
func batchedMatmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false, alpha: Float = 1) -> Tensor {
    let batch = a.shape[0]
    let m = transA ? a.shape[2] : a.shape[1], k = transA ? a.shape[1] : a.shape[2]
    let n = transB ? b.shape[1] : b.shape[2], kb = transB ? b.shape[2] : b.shape[1]
    shapeCheck(a.rank == 3 && b.rank == 3 && b.shape[0] == batch && k == kb, "batched matmul of \(a.shape) and \(b.shape)")
    var out = Tensor.zeros([batch, m, n])
    a.data.withUnsafeBufferPointer { ap in b.data.withUnsafeBufferPointer { bp in out.data.withUnsafeMutableBufferPointer { op in
        for i in 0..<batch {
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: ap.baseAddress! + i * m * k, lda: a.shape[2],
                  b: bp.baseAddress! + i * k * n, ldb: b.shape[2], c: op.baseAddress! + i * m * n, ldc: n)
        }
    } } }
    return out
}

public func scaledDotProductAttention(_ q: Var, _ k: Var, _ v: Var, scale: Float? = nil) -> Var {
    let a = AttentionShape(q.shape, k.shape, v.shape)
    let sc = scale ?? 1 / Float(a.d).squareRoot()
    let probs = softmax(batchedMatmul(q.value, k.value, transB: true, alpha: sc), axis: 2)
    let out = batchedMatmul(probs, v.value)
    return q.tape.record(out) { dy, tape in
        let (qv, kv, vv) = (tape.values[q.index], tape.values[k.index], tape.values[v.index])
        let dProbs = batchedMatmul(dy, vv, transB: true)
        let dScores = softmaxBackward(probs, dProbs, axis: 2)
        tape.accumulate(v, batchedMatmul(probs, dy, transA: true))
        tape.accumulate(q, batchedMatmul(dScores, kv, alpha: sc))
        tape.accumulate(k, batchedMatmul(dScores, qv, transA: true, alpha: sc))
    }
}
