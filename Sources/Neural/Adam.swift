import Foundation

/// Adam (Kingma & Ba) with bias correction, as `torch.optim.Adam`: weight decay, if any, is L2
/// added to the gradient. `AdamW` decouples it (the weights shrink by lr * decay each step).
/// Deterministic: the update is elementwise, in a fixed order.
public class Adam {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW).
    public var decoupledWeightDecay: Bool { false }
    public private(set) var stepCount = 0
    private var m: [[Float]], v: [[Float]]

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        (self.learningRate, self.beta1, self.beta2, self.eps, self.weightDecay) = (learningRate, beta1, beta2, eps, weightDecay)
        m = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    /// One update from the parameters' accumulated gradients (which are left as they are).
    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = Float(1 - Foundation.pow(Double(beta1), t)), correction2 = Float(1 - Foundation.pow(Double(beta2), t))
        let (b1, b2, lr, wd, eps) = (beta1, beta2, learningRate, weightDecay, eps)
        let decoupled = decoupledWeightDecay
        for (i, p) in parameters.enumerated() {
            shapeCheck(p.grad.count == p.value.count, "Adam: parameter '\(p.name)' has gradient \(p.grad.shape) for value \(p.value.shape)")
            p.value.data.withUnsafeMutableBufferPointer { w in p.grad.data.withUnsafeBufferPointer { g in
                m[i].withUnsafeMutableBufferPointer { m in v[i].withUnsafeMutableBufferPointer { v in
                    for j in 0..<w.count {
                        var grad = g[j]
                        if decoupled { w[j] -= lr * wd * w[j] } else { grad += wd * w[j] }
                        m[j] = b1 * m[j] + (1 - b1) * grad
                        v[j] = b2 * v[j] + (1 - b2) * grad * grad
                        w[j] -= lr * (m[j] / correction1) / ((v[j] / correction2).squareRoot() + eps)
                    }
                } }
            } }
        }
    }

    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Moments and step count, for saving beside the weights (`m.<i>`, `v.<i>`, `step`).
    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = ["step": .scalar(Float(stepCount))]
        for (i, p) in parameters.enumerated() {
            out["m.\(i)"] = Tensor(shape: p.value.shape, data: m[i])
            out["v.\(i)"] = Tensor(shape: p.value.shape, data: v[i])
        }
        return out
    }

    /// Restores `state()`; the parameter list must be the same (count and shapes).
    public func load(state: [String: Tensor]) throws {
        guard let step = state["step"], step.count == 1 else { throw OptimizerStateError(reason: "missing 'step'") }
        var newM: [[Float]] = [], newV: [[Float]] = []
        for (i, p) in parameters.enumerated() {
            guard let mi = state["m.\(i)"], let vi = state["v.\(i)"] else { throw OptimizerStateError(reason: "missing moments of parameter \(i) '\(p.name)'") }
            guard mi.shape == p.value.shape, vi.shape == p.value.shape else {
                throw OptimizerStateError(reason: "parameter \(i) '\(p.name)' has shape \(p.value.shape), saved moments \(mi.shape)")
            }
            newM.append(mi.data); newV.append(vi.data)
        }
        guard state["m.\(parameters.count)"] == nil else { throw OptimizerStateError(reason: "saved state has more parameters than \(parameters.count)") }
        (m, v, stepCount) = (newM, newV, Int(step.data[0]))
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW` (default decay 0.01).
public final class AdamW: Adam {
    public override init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                         eps: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    public override var decoupledWeightDecay: Bool { true }
}

public struct OptimizerStateError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "optimizer state: \(reason)" }
}
