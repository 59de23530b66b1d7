import Neural

/// Masked latent MSE: the face mask (downsampled to the latent grid) weighs the face 1 and the
/// background `backgroundWeight`; the loss is the weighted mean of squared errors over all channels.
public enum SwapLoss {
    /// Per-pixel weights [N, 1, H, W] from a mask in [0, 1].
    public static func weights(mask: Tensor, backgroundWeight: Float) -> Tensor {
        mask.map { backgroundWeight + (1 - backgroundWeight) * min(max($0, 0), 1) }
    }

    /// The same plus `priorityWeight` x the eyes-and-mouth coverage (in [0, 1], same shape).
    public static func weights(mask: Tensor, backgroundWeight: Float, priority: Tensor, priorityWeight: Float) -> Tensor {
        var w = weights(mask: mask, backgroundWeight: backgroundWeight)
        shapeCheck(priority.shape == w.shape, "SwapLoss.weights: priority \(priority.shape) vs mask \(w.shape)")
        for i in w.data.indices { w.data[i] += priorityWeight * min(max(priority.data[i], 0), 1) }
        return w
    }

    /// sum(w * (prediction - target)^2) / (C * sum(w)), recorded on the prediction's tape.
    public static func maskedMSE(_ prediction: Var, target: Tensor, weights: Tensor) -> Var {
        shapeCheck(prediction.shape == target.shape, "maskedMSE: prediction \(prediction.shape) vs target \(target.shape)")
        shapeCheck(weights.shape == [target.shape[0], 1, target.shape[2], target.shape[3]],
                   "maskedMSE: weights \(weights.shape) do not fit \(target.shape)")
        let tape = prediction.tape
        let diff = sub(prediction, constant(target, on: tape))
        let weighted = sum(mul(mul(diff, diff), constant(weights, on: tape)))
        let total = weights.sum * Double(target.shape[1])
        return scale(weighted, total > 0 ? Float(1 / total) : 0)
    }

    /// The same loss without a tape (evaluation), summed in Double.
    public static func maskedMSE(_ prediction: Tensor, target: Tensor, weights: Tensor) -> Double {
        shapeCheck(prediction.shape == target.shape, "maskedMSE: prediction \(prediction.shape) vs target \(target.shape)")
        let (n, c, h, w) = target.nchw("maskedMSE")
        shapeCheck(weights.shape == [n, 1, h, w], "maskedMSE: weights \(weights.shape) do not fit \(target.shape)")
        var total = 0.0
        for b in 0..<n {
            for ch in 0..<c {
                let base = (b * c + ch) * h * w
                for i in 0..<(h * w) {
                    let d = Double(prediction.data[base + i]) - Double(target.data[base + i])
                    total += Double(weights.data[b * h * w + i]) * d * d
                }
            }
        }
        let norm = weights.sum * Double(c)
        return norm > 0 ? total / norm : 0
    }
}
