import Foundation

/// Softmax along `axis` (max-subtracted, so large logits do not overflow).
public func softmax(_ x: Tensor, axis: Int) -> Tensor {
    shapeCheck(axis >= 0 && axis < x.rank, "softmax axis \(axis) for shape \(x.shape)")
    let (outer, inner) = outerInner(x.shape, axis: axis)
    let n = x.shape[axis]
    var out = x
    out.data.withUnsafeMutableBufferPointer { p in
        for o in 0..<outer { for i in 0..<inner {
            let base = o * n * inner + i
            var m = -Float.infinity
            for k in 0..<n { m = max(m, p[base + k * inner]) }
            var s: Float = 0
            for k in 0..<n { let e = Foundation.exp(p[base + k * inner] - m); p[base + k * inner] = e; s += e }
            let inv = 1 / s
            for k in 0..<n { p[base + k * inner] *= inv }
        } }
    }
    return out
}

/// dx = y * (dy - sum(dy * y)) along the axis.
func softmaxBackward(_ y: Tensor, _ dy: Tensor, axis: Int) -> Tensor {
    let (outer, inner) = outerInner(y.shape, axis: axis)
    let n = y.shape[axis]
    var dx = dy
    for o in 0..<outer { for i in 0..<inner {
        let base = o * n * inner + i
        var dot: Float = 0
        for k in 0..<n { dot += dy.data[base + k * inner] * y.data[base + k * inner] }
        for k in 0..<n { let j = base + k * inner; dx.data[j] = y.data[j] * (dy.data[j] - dot) }
    } }
    return dx
}

public func softmax(_ x: Var, axis: Int) -> Var {
    let y = softmax(x.value, axis: axis)
    return x.tape.record(y) { dy, tape in tape.accumulate(x, softmaxBackward(y, dy, axis: axis)) }
}
