import Foundation

/// Adam with decoupled weight decay (AdamW when `weightDecay` > 0), with its moments kept per
/// parameter name so they can be saved in optimizer.safetensors.
public final class TrainOptimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var step = 0
    var moments: [String: (m: [Float], v: [Float])] = [:]

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// One update of every parameter from its gradient.
    public func update(_ parameters: [SwapParameter]) {
        step += 1
        let c1 = 1 - Float(pow(Double(beta1), Double(step)))
        let c2 = 1 - Float(pow(Double(beta2), Double(step)))
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, decay = weightDecay
        for p in parameters {
            var state = moments[p.name] ?? ([Float](repeating: 0, count: p.value.count), [Float](repeating: 0, count: p.value.count))
            for i in 0..<p.value.count {
                let g = p.grad[i]
                state.m[i] = b1 * state.m[i] + (1 - b1) * g
                state.v[i] = b2 * state.v[i] + (1 - b2) * g * g
                let update = (state.m[i] / c1) / ((state.v[i] / c2).squareRoot() + eps)
                p.value[i] -= lr * (update + decay * p.value[i])
            }
            moments[p.name] = state
        }
    }

    /// Moments as named arrays ("NAME.m", "NAME.v") for saving.
    public func stateTensors() -> [String: (shape: [Int], values: [Float])] {
        var out: [String: (shape: [Int], values: [Float])] = [:]
        for (name, state) in moments {
            out[name + ".m"] = ([state.m.count], state.m)
            out[name + ".v"] = ([state.v.count], state.v)
        }
        return out
    }

    /// Restores the step and moments saved by `stateTensors`.
    public func restore(step: Int, tensors: [String: [Float]], parameters: [SwapParameter], file: String) throws {
        self.step = step
        moments = [:]
        for p in parameters {
            guard let m = tensors[p.name + ".m"], let v = tensors[p.name + ".v"] else {
                if step == 0 { continue }
                throw SwapModelError.weightMismatch(file: file, name: p.name + ".m", reason: "missing optimizer state")
            }
            guard m.count == p.value.count, v.count == p.value.count else {
                throw SwapModelError.weightMismatch(file: file, name: p.name + ".m", reason: "has \(m.count) values, parameter has \(p.value.count)")
            }
            moments[p.name] = (m, v)
        }
    }
}
