/// A trainable tensor with its accumulated gradient. Layers hold these; optimizers update them.
public final class Parameter {
    public var name: String
    public var value: Tensor
    /// Sum of gradients since the last `zeroGrad()`; same shape as `value`.
    public var grad: Tensor

    public init(_ value: Tensor, name: String = "") {
        self.name = name
        self.value = value
        self.grad = .zeros(value.shape)
    }

    public func zeroGrad() {
        if grad.shape != value.shape { grad = .zeros(value.shape) } else {
            grad.data.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) }
        }
    }
}

/// A value recorded on a tape. Ops on `Var` record themselves; `Tape.backward` then runs their
/// backward functions in reverse order.
public struct Var {
    public let tape: Tape
    public let index: Int
    public var value: Tensor { tape.values[index] }
    public var shape: [Int] { tape.values[index].shape }
}

/// Reverse-mode automatic differentiation. One tape per training step: record the forward pass
/// with `Var` ops, call `backward(loss)`, read gradients (parameters receive theirs in `grad`),
/// then drop the tape. Inference uses the `Tensor` ops, which record nothing.
public final class Tape {
    public typealias Backward = (_ gradOutput: Tensor, _ tape: Tape) -> Void

    fileprivate(set) var values: [Tensor] = []
    private var grads: [Tensor?] = []
    private var backwards: [Backward?] = []

    public init() {}

    /// An input that gradients flow to (read them with `gradient(of:)`).
    public func variable(_ value: Tensor) -> Var { record(value, nil) }

    /// A parameter's current value; backward adds its gradient into `parameter.grad`.
    public func parameter(_ p: Parameter) -> Var {
        record(p.value) { grad, _ in
            p.grad.data.withUnsafeMutableBufferPointer { dst in
                grad.data.withUnsafeBufferPointer { src in for i in 0..<src.count { dst[i] += src[i] } }
            }
        }
    }

    /// Records an op's output and how to push its gradient to its inputs (via `accumulate`).
    public func record(_ value: Tensor, _ backward: Backward?) -> Var {
        values.append(value)
        grads.append(nil)
        backwards.append(backward)
        return Var(tape: self, index: values.count - 1)
    }

    /// Adds `grad` to the gradient of `v` (called by backward functions).
    public func accumulate(_ v: Var, _ grad: Tensor) {
        shapeCheck(grad.shape == values[v.index].shape,
                   "gradient of shape \(grad.shape) for a value of shape \(values[v.index].shape)")
        if grads[v.index] == nil {
            grads[v.index] = grad
        } else {
            grads[v.index]!.data.withUnsafeMutableBufferPointer { dst in
                grad.data.withUnsafeBufferPointer { src in for i in 0..<src.count { dst[i] += src[i] } }
            }
        }
    }

    /// The gradient of the last `backward` loss with respect to `v` (nil if it does not depend on `v`).
    public func gradient(of v: Var) -> Tensor? { grads[v.index] }

    /// Back-propagates from `loss` (seeded with ones, so a scalar loss gives d loss / d x).
    public func backward(_ loss: Var, seed: Tensor? = nil) {
        shapeCheck(loss.tape === self, "backward of a value recorded on another tape")
        grads[loss.index] = seed ?? Tensor(shape: loss.shape, repeating: 1)
        for i in stride(from: loss.index, through: 0, by: -1) {
            guard let g = grads[i], let back = backwards[i] else { continue }
            back(g, self)
            // Free intermediate gradients once used; inputs keep theirs for `gradient(of:)`.
            if backwards[i] != nil { grads[i] = nil }
        }
        // Backward functions capture their input `Var`s, which hold this tape: a cycle that kept
        // every tape (and all its activations) alive forever. Dropping them after the pass frees
        // the tape with its last `Var`. A tape is back-propagated once.
        for i in backwards.indices { backwards[i] = nil }
    }
}
