/// add / sub / mul with NumPy broadcasting of the second operand (its shape right-aligned, each
/// dimension 1 or equal), scalar ops, reshape, and the reductions training losses need.
struct Broadcast {
    let outShape: [Int]
    /// For each output index, the index into `b` (nil when the shapes are equal).
    let bIndex: [Int]?

    init(_ a: [Int], _ b: [Int], op: String) {
        outShape = a
        if a == b { bIndex = nil; return }
        shapeCheck(b.count <= a.count, "\(op): cannot broadcast shape \(b) onto \(a)")
        let padded = [Int](repeating: 1, count: a.count - b.count) + b
        var strides = [Int](repeating: 0, count: a.count)
        var s = 1
        for d in stride(from: a.count - 1, through: 0, by: -1) {
            shapeCheck(padded[d] == a[d] || padded[d] == 1, "\(op): cannot broadcast shape \(b) onto \(a)")
            strides[d] = padded[d] == 1 ? 0 : s
            s *= padded[d]
        }
        var index = [Int](repeating: 0, count: Tensor.elementCount(a))
        var counter = [Int](repeating: 0, count: a.count)
        var current = 0
        for i in 0..<index.count {
            index[i] = current
            var d = a.count - 1
            while d >= 0 {
                counter[d] += 1
                current += strides[d]
                if counter[d] < a[d] { break }
                current -= strides[d] * counter[d]
                counter[d] = 0
                d -= 1
            }
        }
        bIndex = index
    }

    func combine(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        var out = a
        out.data.withUnsafeMutableBufferPointer { o in b.data.withUnsafeBufferPointer { bp in
            if let bIndex { for i in 0..<o.count { o[i] = f(o[i], bp[bIndex[i]]) } }
            else { for i in 0..<o.count { o[i] = f(o[i], bp[i]) } }
        } }
        return out
    }

    /// Sums a gradient of the output shape down to `b`'s shape.
    func reduceToB(_ g: Tensor, bShape: [Int]) -> Tensor {
        guard let bIndex else { return g }
        var out = Tensor.zeros(bShape)
        for i in 0..<g.count { out.data[bIndex[i]] += g.data[i] }
        return out
    }
}

public func add(_ a: Tensor, _ b: Tensor) -> Tensor { Broadcast(a.shape, b.shape, op: "add").combine(a, b, +) }
public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { Broadcast(a.shape, b.shape, op: "sub").combine(a, b, -) }
public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { Broadcast(a.shape, b.shape, op: "mul").combine(a, b, *) }

public func add(_ a: Var, _ b: Var) -> Var {
    let bc = Broadcast(a.shape, b.shape, op: "add")
    return a.tape.record(bc.combine(a.value, b.value, +)) { dy, tape in
        tape.accumulate(a, dy)
        tape.accumulate(b, bc.reduceToB(dy, bShape: tape.values[b.index].shape))
    }
}

public func sub(_ a: Var, _ b: Var) -> Var {
    let bc = Broadcast(a.shape, b.shape, op: "sub")
    return a.tape.record(bc.combine(a.value, b.value, -)) { dy, tape in
        tape.accumulate(a, dy)
        tape.accumulate(b, bc.reduceToB(dy.scaled(-1), bShape: tape.values[b.index].shape))
    }
}

public func mul(_ a: Var, _ b: Var) -> Var {
    let bc = Broadcast(a.shape, b.shape, op: "mul")
    return a.tape.record(bc.combine(a.value, b.value, *)) { dy, tape in
        let av = tape.values[a.index], bv = tape.values[b.index]
        tape.accumulate(a, bc.combine(dy, bv, *))
        tape.accumulate(b, bc.reduceToB(mul(dy, av), bShape: bv.shape))
    }
}

public func scale(_ x: Var, _ s: Float) -> Var {
    x.tape.record(x.value.scaled(s)) { dy, tape in tape.accumulate(x, dy.scaled(s)) }
}

public func addScalar(_ x: Var, _ s: Float) -> Var {
    x.tape.record(x.value.map { $0 + s }) { dy, tape in tape.accumulate(x, dy) }
}

public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor { x.reshaped(shape) }
public func reshape(_ x: Var, _ shape: [Int]) -> Var {
    x.tape.record(x.value.reshaped(shape)) { dy, tape in tape.accumulate(x, dy.reshaped(tape.values[x.index].shape)) }
}

/// Sum of all values, as a [1] tensor.
public func sum(_ x: Var) -> Var {
    x.tape.record(.scalar(Float(x.value.sum))) { dy, tape in
        tape.accumulate(x, Tensor(shape: tape.values[x.index].shape, repeating: dy.data[0]))
    }
}

/// Mean of all values, as a [1] tensor.
public func mean(_ x: Var) -> Var { scale(sum(x), 1 / Float(max(1, x.value.count))) }

/// Mean squared error between two tensors of the same shape.
public func mseLoss(_ a: Var, _ b: Var) -> Var {
    let d = sub(a, b)
    return mean(mul(d, d))
}

/// Mean absolute error.
public func l1Loss(_ a: Var, _ b: Var) -> Var {
    let d = sub(a, b)
    return mean(d.tape.record(mapUnary(d.value) { abs($0) }) { dy, tape in
        let dv = tape.values[d.index]
        var g = dy
        for i in 0..<g.count { g.data[i] *= dv.data[i] > 0 ? 1 : (dv.data[i] < 0 ? -1 : 0) }
        tape.accumulate(d, g)
    })
}

/// Transposes the last two axes.
public func transposeLastTwo(_ x: Var) -> Var {
    x.tape.record(x.value.transposedLastTwo()) { dy, tape in tape.accumulate(x, dy.transposedLastTwo()) }
}

/// A value that needs no gradient (e.g. a target) placed on the tape.
public func constant(_ t: Tensor, on tape: Tape) -> Var { tape.record(t, nil) }
