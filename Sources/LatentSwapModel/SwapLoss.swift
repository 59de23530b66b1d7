/// Masked latent MSE: the face mask (downsampled to the latent grid) weighs the face 1 and the
/// background `backgroundWeight`; the loss is the weighted mean of squared errors over all channels.
public enum SwapLoss {
    /// Per-pixel weights [N, 1, H, W] from a mask in [0, 1].
    public static func weights(mask: SwapTensor, backgroundWeight: Float) -> SwapTensor {
        var w = mask
        for i in 0..<w.count { w.data[i] = backgroundWeight + (1 - backgroundWeight) * min(max(mask.data[i], 0), 1) }
        return w
    }

    /// Returns the loss and dLoss/dPrediction.
    public static func maskedMSE(prediction: SwapTensor, target: SwapTensor, weights: SwapTensor) -> (loss: Float, gradient: SwapTensor) {
        precondition(prediction.shape == target.shape, "maskedMSE: prediction \(prediction.shape) vs target \(target.shape)")
        precondition(weights.n == prediction.n && weights.c == 1 && weights.h == prediction.h && weights.w == prediction.w,
                     "maskedMSE: weights \(weights.shape) do not fit \(prediction.shape)")
        let c = prediction.c, hw = prediction.h * prediction.w
        let weightSum = weights.data.reduce(0.0) { $0 + Double($1) } * Double(c)
        let scale = weightSum > 0 ? 1 / weightSum : 0
        var gradient = prediction
        var total = 0.0
        for n in 0..<prediction.n {
            for ch in 0..<c {
                for p in 0..<hw {
                    let i = (n * c + ch) * hw + p
                    let w = Double(weights.data[n * hw + p])
                    let diff = Double(prediction.data[i] - target.data[i])
                    total += w * diff * diff
                    gradient.data[i] = Float(2 * w * diff * scale)
                }
            }
        }
        return (Float(total * scale), gradient)
    }
}
