/// A batch of feature maps, NCHW, Float32, contiguous: the swap model's working array.
public struct SwapTensor: Equatable, Sendable {
    public var n: Int, c: Int, h: Int, w: Int
    public var data: [Float]

    public init(n: Int, c: Int, h: Int, w: Int, data: [Float]) {
        precondition(data.count == n * c * h * w, "SwapTensor: \(data.count) values for \(n)x\(c)x\(h)x\(w)")
        self.n = n; self.c = c; self.h = h; self.w = w
        self.data = data
    }

    public init(zeros n: Int, _ c: Int, _ h: Int, _ w: Int) {
        self.init(n: n, c: c, h: h, w: w, data: [Float](repeating: 0, count: n * c * h * w))
    }

    public var shape: [Int] { [n, c, h, w] }
    public var count: Int { data.count }
    /// Values per sample.
    public var sampleCount: Int { c * h * w }

    /// Samples `range` as a new batch.
    public func samples(_ range: Range<Int>) -> SwapTensor {
        SwapTensor(n: range.count, c: c, h: h, w: w,
                   data: Array(data[(range.lowerBound * sampleCount)..<(range.upperBound * sampleCount)]))
    }

    /// Stacks batches with the same C, H, W along N.
    public static func stack(_ parts: [SwapTensor]) -> SwapTensor {
        let first = parts[0]
        var data: [Float] = []
        data.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            precondition(part.c == first.c && part.h == first.h && part.w == first.w, "SwapTensor.stack: shapes differ")
            data += part.data
        }
        return SwapTensor(n: parts.reduce(0) { $0 + $1.n }, c: first.c, h: first.h, w: first.w, data: data)
    }
}

/// A trainable array with its gradient; `name` is its key in weights.safetensors.
public final class SwapParameter {
    public let name: String
    public let shape: [Int]
    public var value: [Float]
    public var grad: [Float]

    public init(name: String, shape: [Int], value: [Float]) {
        precondition(value.count == shape.reduce(1, *), "SwapParameter \(name): value count does not match shape")
        self.name = name
        self.shape = shape
        self.value = value
        self.grad = [Float](repeating: 0, count: value.count)
    }

    public func zeroGrad() {
        grad.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

/// A layer trained with explicit backpropagation: `forward` keeps what `backward` needs.
protocol SwapLayer: AnyObject {
    var parameters: [SwapParameter] { get }
    func forward(_ x: SwapTensor) -> SwapTensor
    /// Takes dLoss/dOutput, accumulates parameter gradients, returns dLoss/dInput.
    func backward(_ dy: SwapTensor) -> SwapTensor
    /// Multiply-adds per sample for an input of this spatial size, and the output size.
    func cost(c: Int, h: Int, w: Int) -> (flops: Double, c: Int, h: Int, w: Int)
}
