import Foundation
import Support

/// Adam (Kingma & Ba) with bias correction, as `torch.optim.Adam`: weight decay, if any, is L2
/// added to the gradient. `AdamW` decouples it (the weights shrink by lr * decay each step).
/// `AdaBelief` changes only what the second moment averages. Deterministic: the update is
/// elementwise, in a fixed order, and the learning-rate dropout mask comes from (seed, step).
public class Adam {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW).
    public var decoupledWeightDecay: Bool { false }
    /// Learning-rate dropout (Lin et al. 2019, DeepFaceLab's `lr_dropout`): the probability that a
    /// weight's update is applied at a step (DFL's 0.3 keeps 30%); nil applies every update. As in
    /// DFL's leras optimisers, the moments are updated for every weight and only the change of the
    /// weight itself (decoupled decay included) is dropped.
    public var updateProbability: Float?
    /// Seeds the dropout mask; the mask of step t depends only on (seed, t), so a resumed run
    /// draws the masks an uninterrupted one does.
    public var dropoutSeed: UInt64 = 0
    /// The squared deviation of the gradient from its mean (AdaBelief) rather than the squared gradient.
    var secondMomentIsBelief: Bool { false }
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
        let decoupled = decoupledWeightDecay, belief = secondMomentIsBelief
        var mask = SeededRandom(seed: dropoutSeed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(stepCount) &* 0xD1B5_4A32_D192_ED03 ^ 0x6C72_5F64_726F_70)
        let k = Step(b1: beta1, b2: beta2, lr: learningRate, wd: weightDecay, eps: eps, correction1: correction1, correction2: correction2)
        for (i, p) in parameters.enumerated() {
            shapeCheck(p.grad.count == p.value.count, "Adam: parameter '\(p.name)' has gradient \(p.grad.shape) for value \(p.value.shape)")
            let count = p.value.count
            p.value.data.withUnsafeMutableBufferPointer { w in p.grad.data.withUnsafeBufferPointer { g in
                m[i].withUnsafeMutableBufferPointer { m in v[i].withUnsafeMutableBufferPointer { v in
                    let (w, g, m, v) = (w.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!)
                    if let keep = updateProbability {
                        // The dropout mask is one random sequence over the weights in order: serial.
                        for j in 0..<count {
                            let weight = k.updated(w, g, m, v, j, decoupled: decoupled, belief: belief)
                            if mask.nextUniform() < keep { w[j] = weight }
                        }
                        return
                    }
                    // Elementwise and order-free, so the weights are split over the cores; the
                    // flags are hoisted so that each loop vectorises.
                    let parts = count >= Self.parallelThreshold ? workerCount : 1
                    parallelRanges(count, threads: parts) { range in
                        switch (decoupled, belief) {
                        case (false, false): for j in range { w[j] = k.updated(w, g, m, v, j, decoupled: false, belief: false) }
                        case (false, true): for j in range { w[j] = k.updated(w, g, m, v, j, decoupled: false, belief: true) }
                        case (true, false): for j in range { w[j] = k.updated(w, g, m, v, j, decoupled: true, belief: false) }
                        case (true, true): for j in range { w[j] = k.updated(w, g, m, v, j, decoupled: true, belief: true) }
                        }
                    }
                } }
            } }
        }
    }

    /// Weights from this size on are updated on all cores (below it dispatching costs more).
    static let parallelThreshold = 1 << 15

    /// The constants of one step and the update of one weight (its moments updated in place).
    struct Step {
        let b1, b2, lr, wd, eps, correction1, correction2: Float

        @inline(__always)
        func updated(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                     _ v: UnsafeMutablePointer<Float>, _ j: Int, decoupled: Bool, belief: Bool) -> Float {
            var grad = g[j], weight = w[j]
            if decoupled { weight -= lr * wd * weight } else { grad += wd * weight }
            m[j] = b1 * m[j] + (1 - b1) * grad
            if belief {
                // adabelief-pytorch adds eps to s in place, each step.
                let residual = grad - m[j]
                v[j] = b2 * v[j] + (1 - b2) * residual * residual + eps
            } else {
                v[j] = b2 * v[j] + (1 - b2) * grad * grad
            }
            return weight - lr * (m[j] / correction1) / ((v[j] / correction2).squareRoot() + eps)
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

/// AdaBelief (Zhuang et al. 2020) as `adabelief_pytorch.AdaBelief` 0.2.1 with rectify=False and
/// amsgrad=False: Adam whose second moment s averages (g - m)^2 + eps, the gradient's deviation
/// from its running mean, so steps are large where gradients are consistent and small where they
/// are noisy. Defaults are the package's (eps 1e-16); weight decay is L2 on the gradient unless
/// `decoupledWeightDecay` (the package's weight_decouple). DeepFaceLab's leras AdaBelief differs:
/// no bias correction, no eps inside s, eps 1e-6 (float32 resolution) outside the square root.
public final class AdaBelief: Adam {
    private let decoupled: Bool

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-16, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        decoupled = decoupledWeightDecay
        super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    public override var decoupledWeightDecay: Bool { decoupled }
    override var secondMomentIsBelief: Bool { true }
}

public struct OptimizerStateError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "optimizer state: \(reason)" }
}
