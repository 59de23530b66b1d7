import Neural

/// Masked latent MSE: the face mask (downsampled to the latent grid) weighs the face 1 and the
/// background `backgroundWeight`; the loss is the weighted mean of squared errors over all channels.
public enum SwapLoss {
    /// Per-pixel weights [N, 1, H, W] from a mask in [0, 1].
    public static func weights(mask: Tensor, backgroundWeight: Float) -> Tensor {
        mask.map { backgroundWeight + (1 - backgroundWeight) * min(max($0, 0), 1) }
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

    /// The same loss without a tape (evaluation).
    public static func maskedMSE(_ prediction: Tensor, target: Tensor, weights: Tensor) -> Double {
        let tape = Tape()
        return Double(maskedMSE(tape.variable(prediction), target: target, weights: weights).value.data[0])
    }
}
