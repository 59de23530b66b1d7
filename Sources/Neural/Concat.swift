/// Concatenation along an axis and its inverse, slicing.
func outerInner(_ shape: [Int], axis: Int) -> (outer: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[(axis + 1)...].reduce(1, *))
}

public func concat(_ parts: [Tensor], axis: Int) -> Tensor {
    shapeCheck(!parts.isEmpty, "concat of no tensors")
    let first = parts[0].shape
    shapeCheck(axis >= 0 && axis < first.count, "concat axis \(axis) for shape \(first)")
    for p in parts {
        var a = p.shape, b = first
        shapeCheck(a.count == b.count, "concat of shapes \(parts.map(\.shape)) along axis \(axis)")
        a[axis] = 0; b[axis] = 0
        shapeCheck(a == b, "concat of shapes \(parts.map(\.shape)) along axis \(axis): other axes differ")
    }
    var shape = first
    shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
    let (outer, inner) = outerInner(shape, axis: axis)
    var out = [Float](); out.reserveCapacity(Tensor.elementCount(shape))
    for o in 0..<outer {
        for p in parts {
            let chunk = p.shape[axis] * inner
            out.append(contentsOf: p.data[(o * chunk)..<((o + 1) * chunk)])
        }
    }
    return Tensor(shape: shape, data: out)
}

/// `x[..., range, ...]` along `axis`.
public func slice(_ x: Tensor, axis: Int, _ range: Range<Int>) -> Tensor {
    shapeCheck(axis >= 0 && axis < x.rank && range.lowerBound >= 0 && range.upperBound <= x.shape[axis],
               "slice \(range) on axis \(axis) of shape \(x.shape)")
    let (outer, inner) = outerInner(x.shape, axis: axis)
    var shape = x.shape
    shape[axis] = range.count
    var out = [Float](); out.reserveCapacity(Tensor.elementCount(shape))
    for o in 0..<outer {
        let base = o * x.shape[axis] * inner
        out.append(contentsOf: x.data[(base + range.lowerBound * inner)..<(base + range.upperBound * inner)])
    }
    return Tensor(shape: shape, data: out)
}

public func concat(_ parts: [Var], axis: Int) -> Var {
    let out = concat(parts.map(\.value), axis: axis)
    return parts[0].tape.record(out) { dy, tape in
        var start = 0
        for p in parts {
            let n = tape.values[p.index].shape[axis]
            tape.accumulate(p, slice(dy, axis: axis, start..<(start + n)))
            start += n
        }
    }
}

public func slice(_ x: Var, axis: Int, _ range: Range<Int>) -> Var {
    x.tape.record(slice(x.value, axis: axis, range)) { dy, tape in
        let shape = tape.values[x.index].shape
        let (outer, inner) = outerInner(shape, axis: axis)
        var dx = Tensor.zeros(shape)
        for o in 0..<outer {
            let dst = o * shape[axis] * inner + range.lowerBound * inner, src = o * range.count * inner
            for i in 0..<(range.count * inner) { dx.data[dst + i] = dy.data[src + i] }
        }
        tape.accumulate(x, dx)
    }
}
