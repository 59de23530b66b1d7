/// Fully connected layer: y = x W^T + b over the last axis; weight [out, in] as in PyTorch.
public final class Linear {
    public let weight: Parameter
    public let bias: Parameter?

    public init(weight: Tensor, bias: Tensor?) {
        shapeCheck(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        if let bias { shapeCheck(bias.shape == [weight.shape[0]], "Linear bias shape \(bias.shape) for weight \(weight.shape)") }
        self.weight = Parameter(weight, name: "weight")
        self.bias = bias.map { Parameter($0, name: "bias") }
    }

    private func rows(_ shape: [Int]) -> Int {
        let inF = weight.value.shape[1]
        shapeCheck(shape.last == inF, "Linear expects last axis \(inF) (weight \(weight.value.shape)), input has shape \(shape)")
        return Tensor.elementCount(shape) / inF
    }

    static func apply(_ x: Tensor, _ w: Tensor, _ b: Tensor?, rows: Int) -> Tensor {
        let (outF, inF) = (w.shape[0], w.shape[1])
        var shape = x.shape
        shape[shape.count - 1] = outF
        var out = Tensor.zeros(shape)
        x.data.withUnsafeBufferPointer { xp in w.data.withUnsafeBufferPointer { wp in out.data.withUnsafeMutableBufferPointer { op in
            if let b { for r in 0..<rows { for j in 0..<outF { op[r * outF + j] = b.data[j] } } }
            sgemm(transB: true, m: rows, n: outF, k: inF, a: xp.baseAddress!, lda: inF, b: wp.baseAddress!, ldb: inF,
                  beta: b == nil ? 0 : 1, c: op.baseAddress!, ldc: outF)
        } } }
        return out
    }

    public func forward(_ x: Tensor) -> Tensor { Linear.apply(x, weight.value, bias?.value, rows: rows(x.shape)) }

    public func forward(_ x: Var) -> Var {
        let n = rows(x.shape)
        let w = x.tape.parameter(weight)
        let b = bias.map { x.tape.parameter($0) }
        return x.tape.record(Linear.apply(x.value, w.value, b?.value, rows: n)) { dy, tape in
            let xv = tape.values[x.index], wv = tape.values[w.index]
            let (outF, inF) = (wv.shape[0], wv.shape[1])
            var dx = Tensor.zeros(xv.shape), dw = Tensor.zeros(wv.shape)
            dy.data.withUnsafeBufferPointer { g in
                wv.data.withUnsafeBufferPointer { wp in dx.data.withUnsafeMutableBufferPointer { d in
                    sgemm(m: n, n: inF, k: outF, a: g.baseAddress!, lda: outF, b: wp.baseAddress!, ldb: inF, c: d.baseAddress!, ldc: inF)
                } }
                xv.data.withUnsafeBufferPointer { xp in dw.data.withUnsafeMutableBufferPointer { d in
                    sgemm(transA: true, m: outF, n: inF, k: n, a: g.baseAddress!, lda: outF, b: xp.baseAddress!, ldb: inF, c: d.baseAddress!, ldc: inF)
                } }
            }
            tape.accumulate(x, dx)
            tape.accumulate(w, dw)
            if let b {
                var db = Tensor.zeros([outF])
                for r in 0..<n { for j in 0..<outF { db.data[j] += dy.data[r * outF + j] } }
                tape.accumulate(b, db)
            }
        }
    }
}
