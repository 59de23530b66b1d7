import Foundation
import Support

/// Standardises consecutive segments of `length` values (mean 0, variance 1, biased variance as
/// PyTorch), the common core of GroupNorm and LayerNorm.
enum SegmentNorm {
    static func forward(_ x: [Float], length: Int, eps: Float) -> (xhat: [Float], invStd: [Float]) {
        let segments = x.count / max(1, length)
        var xhat = [Float](repeating: 0, count: x.count)
        var invStd = [Float](repeating: 0, count: segments)
        x.withUnsafeBufferPointer { xp in xhat.withUnsafeMutableBufferPointer { hp in invStd.withUnsafeMutableBufferPointer { ip in
            let (xb, hb, ib) = (xp.baseAddress!, hp.baseAddress!, ip.baseAddress!)
            parallelFor(segments) { s in
                let seg = xb + s * length
                var sum = 0.0
                for i in 0..<length { sum += Double(seg[i]) }
                let mean = sum / Double(length)
                var sq = 0.0
                for i in 0..<length { let d = Double(seg[i]) - mean; sq += d * d }
                let inv = Float(1 / (sq / Double(length) + Double(eps)).squareRoot())
                ib[s] = inv
                let m = Float(mean), out = hb + s * length
                for i in 0..<length { out[i] = (seg[i] - m) * inv }
            }
        } } }
        return (xhat, invStd)
    }

    /// dx from d(xhat): invStd * (g - mean(g) - xhat * mean(g * xhat)) per segment.
    static func backward(_ gradXhat: [Float], xhat: [Float], invStd: [Float], length: Int) -> [Float] {
        var dx = [Float](repeating: 0, count: gradXhat.count)
        for s in 0..<invStd.count {
            let base = s * length
            var sg = 0.0, sgx = 0.0
            for i in 0..<length { sg += Double(gradXhat[base + i]); sgx += Double(gradXhat[base + i] * xhat[base + i]) }
            let mg = Float(sg / Double(length)), mgx = Float(sgx / Double(length))
            for i in 0..<length { dx[base + i] = invStd[s] * (gradXhat[base + i] - mg - xhat[base + i] * mgx) }
        }
        return dx
    }
}

/// GroupNorm over [N, C, ...]: statistics per (image, group of C/groups channels), then a
/// per-channel affine `weight`, `bias` (each [C]).
public final class GroupNorm {
    public let groups: Int
    public let eps: Float
    public let weight: Parameter?
    public let bias: Parameter?

    public init(groups: Int, eps: Float = 1e-5, weight: Tensor?, bias: Tensor?) {
        self.groups = groups
        self.eps = eps
        self.weight = weight.map { Parameter($0, name: "weight") }
        self.bias = bias.map { Parameter($0, name: "bias") }
    }

    private func check(_ shape: [Int]) -> (c: Int, inner: Int) {
        shapeCheck(shape.count >= 2, "GroupNorm expects [N, C, ...], got \(shape)")
        let c = shape[1]
        shapeCheck(groups >= 1 && c % groups == 0, "GroupNorm: \(groups) groups do not divide \(c) channels (shape \(shape))")
        if let w = weight { shapeCheck(w.value.count == c, "GroupNorm weight has \(w.value.count) values for \(c) channels") }
        if let b = bias { shapeCheck(b.value.count == c, "GroupNorm bias has \(b.value.count) values for \(c) channels") }
        return (c, Tensor.elementCount(shape) / max(1, shape[0] * c))
    }

    static func affine(_ xhat: [Float], shape: [Int], inner: Int, _ w: Tensor?, _ b: Tensor?) -> Tensor {
        var out = Tensor(shape: shape, data: xhat)
        let c = shape[1]
        guard w != nil || b != nil else { return out }
        out.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<(p.count / max(1, inner)) {
                let ch = i % c
                let s = w?.data[ch] ?? 1, t = b?.data[ch] ?? 0
                for j in 0..<inner { p[i * inner + j] = p[i * inner + j] * s + t }
            }
        }
        return out
    }

    public func forward(_ x: Tensor) -> Tensor {
        let (c, inner) = check(x.shape)
        let (xhat, _) = SegmentNorm.forward(x.data, length: c / groups * inner, eps: eps)
        return GroupNorm.affine(xhat, shape: x.shape, inner: inner, weight?.value, bias?.value)
    }

    public func forward(_ x: Var) -> Var {
        let (c, inner) = check(x.shape)
        let length = c / groups * inner
        let (xhat, invStd) = SegmentNorm.forward(x.value.data, length: length, eps: eps)
        let w = weight.map { x.tape.parameter($0) }, b = bias.map { x.tape.parameter($0) }
        let out = GroupNorm.affine(xhat, shape: x.shape, inner: inner, w?.value, b?.value)
        return x.tape.record(out) { dy, tape in
            var gradXhat = dy.data
            var dw = [Float](repeating: 0, count: c), db = [Float](repeating: 0, count: c)
            let wv = w.map { tape.values[$0.index] }
            for i in 0..<(dy.count / max(1, inner)) {
                let ch = i % c, s = wv?.data[ch] ?? 1
                for j in 0..<inner {
                    let k = i * inner + j
                    dw[ch] += dy.data[k] * xhat[k]
                    db[ch] += dy.data[k]
                    gradXhat[k] = dy.data[k] * s
                }
            }
            tape.accumulate(x, Tensor(shape: dy.shape, data: SegmentNorm.backward(gradXhat, xhat: xhat, invStd: invStd, length: length)))
            if let w { tape.accumulate(w, Tensor(shape: [c], data: dw)) }
            if let b { tape.accumulate(b, Tensor(shape: [c], data: db)) }
        }
    }
}

/// LayerNorm over the last axis (size D), with elementwise affine `weight`, `bias` ([D]).
public final class LayerNorm {
    public let eps: Float
    public let weight: Parameter?
    public let bias: Parameter?

    public init(eps: Float = 1e-5, weight: Tensor?, bias: Tensor?) {
        self.eps = eps
        self.weight = weight.map { Parameter($0, name: "weight") }
        self.bias = bias.map { Parameter($0, name: "bias") }
    }

    private func length(_ shape: [Int]) -> Int {
        let d = shape.last ?? 0
        if let w = weight { shapeCheck(w.value.count == d, "LayerNorm weight has \(w.value.count) values, input's last axis is \(d) (shape \(shape))") }
        if let b = bias { shapeCheck(b.value.count == d, "LayerNorm bias has \(b.value.count) values, input's last axis is \(d) (shape \(shape))") }
        return d
    }

    static func affine(_ xhat: [Float], shape: [Int], _ w: Tensor?, _ b: Tensor?) -> Tensor {
        var out = Tensor(shape: shape, data: xhat)
        let d = shape.last ?? 1
        guard w != nil || b != nil else { return out }
        out.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = p[i] * (w?.data[i % d] ?? 1) + (b?.data[i % d] ?? 0) }
        }
        return out
    }

    public func forward(_ x: Tensor) -> Tensor {
        let d = length(x.shape)
        return LayerNorm.affine(SegmentNorm.forward(x.data, length: d, eps: eps).xhat, shape: x.shape, weight?.value, bias?.value)
    }

    public func forward(_ x: Var) -> Var {
        let d = length(x.shape)
        let (xhat, invStd) = SegmentNorm.forward(x.value.data, length: d, eps: eps)
        let w = weight.map { x.tape.parameter($0) }, b = bias.map { x.tape.parameter($0) }
        return x.tape.record(LayerNorm.affine(xhat, shape: x.shape, w?.value, b?.value)) { dy, tape in
            var gradXhat = dy.data
            var dw = [Float](repeating: 0, count: d), db = [Float](repeating: 0, count: d)
            let wv = w.map { tape.values[$0.index] }
            for k in 0..<dy.count {
                let j = k % d
                dw[j] += dy.data[k] * xhat[k]
                db[j] += dy.data[k]
                gradXhat[k] = dy.data[k] * (wv?.data[j] ?? 1)
            }
            tape.accumulate(x, Tensor(shape: dy.shape, data: SegmentNorm.backward(gradXhat, xhat: xhat, invStd: invStd, length: d)))
            if let w { tape.accumulate(w, Tensor(shape: [d], data: dw)) }
            if let b { tape.accumulate(b, Tensor(shape: [d], data: db)) }
        }
    }
}
