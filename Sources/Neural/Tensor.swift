/// Stops with a message that names the operation and the shapes involved. Used instead of
/// `precondition`, which `-Ounchecked` release builds drop: a shape bug must never read out of bounds.
@inline(__always)
public func shapeCheck(_ condition: Bool, _ message: @autoclosure () -> String,
                       file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("shape error: " + message(), file: file, line: line) }
}

/// A dense Float32 tensor, row-major (the last axis varies fastest); images are NCHW.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        shapeCheck(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        shapeCheck(Tensor.elementCount(shape) == data.count,
                   "shape \(shape) holds \(Tensor.elementCount(shape)) values but data has \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, data: [Float](repeating: value, count: Tensor.elementCount(shape)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    public static func scalar(_ value: Float) -> Tensor { Tensor(shape: [1], data: [value]) }

    public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    public var description: String {
        let head = data.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(data.count > 8 ? ", ..." : "")]"
    }

    /// The same values with another shape; one dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            shapeCheck(known > 0 && count % known == 0, "reshape of \(shape) to \(newShape): \(count) values do not divide")
            resolved[hole] = count / known
        }
        shapeCheck(Tensor.elementCount(resolved) == count, "reshape of \(shape) (\(count) values) to \(newShape)")
        return Tensor(shape: resolved, data: data)
    }

    /// Dimensions of an NCHW tensor, with a clear failure for other ranks.
    public func nchw(_ op: String) -> (n: Int, c: Int, h: Int, w: Int) {
        shapeCheck(rank == 4, "\(op) expects an NCHW tensor (rank 4), got shape \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }

    /// Applies `f` to every value.
    public func map(_ f: (Float) -> Float) -> Tensor { Tensor(shape: shape, data: data.map(f)) }

    public func scaled(_ s: Float) -> Tensor { map { $0 * s } }

    public var sum: Double { data.reduce(0.0) { $0 + Double($1) } }
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }
    public var maxAbs: Float { data.reduce(0) { max($0, abs($1)) } }

    /// Largest absolute difference to another tensor of the same shape.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        shapeCheck(shape == other.shape, "comparing shapes \(shape) and \(other.shape)")
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(data[i] - other.data[i])) }
        return m
    }

    /// Swaps the last two axes (e.g. [B, C, L] <-> [B, L, C]).
    public func transposedLastTwo() -> Tensor {
        shapeCheck(rank >= 2, "transposedLastTwo needs rank >= 2, got \(shape)")
        let r = shape[rank - 2], c = shape[rank - 1], batch = count / max(1, r * c)
        var out = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for b in 0..<batch {
                    let base = b * r * c
                    for i in 0..<r { for j in 0..<c { dst[base + j * r + i] = src[base + i * c + j] } }
                }
            }
        }
        var newShape = shape
        newShape.swapAt(rank - 2, rank - 1)
        return Tensor(shape: newShape, data: out)
    }
}
