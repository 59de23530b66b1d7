import Foundation

/// Elementwise activations, for inference (`Tensor`) and training (`Var`). Each backward uses the
/// input and/or output saved on the tape.
func mapUnary(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    var out = x
    out.data.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = f(p[i]) } }
    return out
}

/// Records an elementwise op whose derivative is `d(x, y)` (input, output).
func recordUnary(_ x: Var, _ f: (Float) -> Float, derivative d: @escaping (Float, Float) -> Float) -> Var {
    let y = mapUnary(x.value, f)
    return x.tape.record(y) { dy, tape in
        let xv = tape.values[x.index]
        var dx = dy
        xv.data.withUnsafeBufferPointer { xp in y.data.withUnsafeBufferPointer { yp in
            dx.data.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= d(xp[i], yp[i]) } }
        } }
        tape.accumulate(x, dx)
    }
}

@inline(__always) func sigmoidScalar(_ v: Float) -> Float { 1 / (1 + Foundation.exp(-v)) }

public func relu(_ x: Tensor) -> Tensor { mapUnary(x) { max($0, 0) } }
public func relu(_ x: Var) -> Var { recordUnary(x, { max($0, 0) }, derivative: { v, _ in v > 0 ? 1 : 0 }) }

public func leakyReLU(_ x: Tensor, slope: Float = 0.01) -> Tensor { mapUnary(x) { $0 > 0 ? $0 : $0 * slope } }
public func leakyReLU(_ x: Var, slope: Float = 0.01) -> Var {
    // Written out rather than through recordUnary: the models' most frequent op, and a
    // derivative closure called per element does not vectorise.
    x.tape.record(leakyReLU(x.value, slope: slope)) { dy, tape in
        let dx = [Float](unsafeUninitializedCapacity: dy.count) { g, initialized in
            tape.values[x.index].data.withUnsafeBufferPointer { xp in dy.data.withUnsafeBufferPointer { up in
                for i in 0..<up.count { g[i] = xp[i] > 0 ? up[i] : up[i] * slope }
            } }
            initialized = dy.count
        }
        tape.accumulate(x, Tensor(shape: dy.shape, data: dx))
    }
}

public func sigmoid(_ x: Tensor) -> Tensor { mapUnary(x, sigmoidScalar) }
public func sigmoid(_ x: Var) -> Var { recordUnary(x, sigmoidScalar, derivative: { _, y in y * (1 - y) }) }

public func tanh(_ x: Tensor) -> Tensor { mapUnary(x) { Foundation.tanh($0) } }
public func tanh(_ x: Var) -> Var { recordUnary(x, { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }) }

public func silu(_ x: Tensor) -> Tensor { mapUnary(x) { $0 * sigmoidScalar($0) } }
public func silu(_ x: Var) -> Var {
    recordUnary(x, { $0 * sigmoidScalar($0) }, derivative: { v, _ in
        let s = sigmoidScalar(v)
        return s * (1 + v * (1 - s))
    })
}

/// PReLU with one learned slope per channel (axis 1), or a single slope for all.
public final class PReLU {
    public let alpha: Parameter

    public init(alpha: Tensor) { self.alpha = Parameter(alpha.reshaped([-1]), name: "alpha") }

    private func slopeIndex(_ shape: [Int]) -> (channels: Int, inner: Int) {
        let a = alpha.value.count
        if a == 1 { return (1, Tensor.elementCount(shape)) }
        shapeCheck(shape.count >= 2 && shape[1] == a, "PReLU with \(a) slopes for input of shape \(shape) (channels on axis 1)")
        return (a, Tensor.elementCount(shape) / max(1, shape[0] * a))
    }

    public func forward(_ x: Tensor) -> Tensor { PReLU.apply(x, alpha.value, slopeIndex(x.shape)) }

    private static func apply(_ x: Tensor, _ alpha: Tensor, _ s: (channels: Int, inner: Int)) -> Tensor {
        var out = x
        out.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count where p[i] < 0 { p[i] *= alpha.data[(i / s.inner) % s.channels] }
        }
        return out
    }

    public func forward(_ x: Var) -> Var {
        let s = slopeIndex(x.shape)
        let a = x.tape.parameter(alpha)
        return x.tape.record(PReLU.apply(x.value, a.value, s)) { dy, tape in
            let xv = tape.values[x.index], av = tape.values[a.index]
            var dx = dy, da = Tensor.zeros(av.shape)
            for i in 0..<dy.count where xv.data[i] < 0 {
                let c = (i / s.inner) % s.channels
                dx.data[i] = dy.data[i] * av.data[c]
                da.data[c] += dy.data[i] * xv.data[i]
            }
            tape.accumulate(x, dx)
            tape.accumulate(a, da)
        }
    }
}
