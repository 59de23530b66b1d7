import Foundation
import Imaging
import Neural

/// Masked structural dissimilarity of decoded faces, DeepFaceLab's main face loss:
/// DSSIM = (1 - SSIM) / 2 per pixel and channel, SSIM from Gaussian-windowed local statistics with
/// the window and constants of the quality score (Imaging's `StructuralSimilarity`: sigma 1.5, 11
/// taps, C1 = 0.01^2, C2 = 0.03^2 for images in [0, 1]), but zero padding to the same size instead
/// of clamped edges, so that the filter is symmetric, hence self-adjoint. Averaged with per-pixel
/// weights as `SwapLoss.maskedMSE` is. One fused tape op with its gradient written out, so the loss
/// needs no division or filtering ops on the tape.
public enum MaskedDSSIM {
    static let (c1, c2) = (StructuralSimilarity.c1, StructuralSimilarity.c2)
    static let window = StructuralSimilarity.window

    /// sum(w * (1 - SSIM) / 2) / (C * sum(w)) of `prediction` against `target` [N, C, H, W];
    /// `weights` [N, 1, H, W].
    public static func loss(_ prediction: Var, target: Tensor, weights: Tensor) -> Var {
        shapeCheck(prediction.shape == target.shape, "MaskedDSSIM: prediction \(prediction.shape) vs target \(target.shape)")
        let (n, c, h, w) = target.nchw("MaskedDSSIM")
        shapeCheck(weights.shape == [n, 1, h, w], "MaskedDSSIM: weights \(weights.shape) do not fit \(target.shape)")
        let norm = weights.sum * Double(c)
        let x = prediction.value.data, y = target.data
        let muX = blur(x, planes: n * c, h, w), muY = blur(y, planes: n * c, h, w)
        let exx = blur(x.map { $0 * $0 }, planes: n * c, h, w), eyy = blur(y.map { $0 * $0 }, planes: n * c, h, w)
        let exy = blur(zip(x, y).map { $0 * $1 }, planes: n * c, h, w)
        // Per element: the SSIM and its partial derivatives by mu_x, E[x^2] and E[xy].
        var total = 0.0
        var dMu = [Float](repeating: 0, count: x.count), dExx = dMu, dExy = dMu
        let plane = h * w
        for i in 0..<x.count {
            let (mx, my) = (muX[i], muY[i])
            let a1 = 2 * mx * my + c1, a2 = 2 * (exy[i] - mx * my) + c2
            let b1 = mx * mx + my * my + c1, b2 = (exx[i] - mx * mx) + (eyy[i] - my * my) + c2
            let ssim = a1 * a2 / (b1 * b2)
            let weight = weights.data[(i / (c * plane)) * plane + i % plane]
            total += Double(weight) * Double(1 - ssim) / 2
            dMu[i] = (2 * my * (a2 - a1)) / (b1 * b2) - 2 * mx * ssim / b1 + 2 * mx * ssim / b2
            dExx[i] = -ssim / b2
            dExy[i] = 2 * a1 / (b1 * b2)
        }
        let scale = norm > 0 ? 1 / norm : 0
        return prediction.tape.record(Tensor.scalar(Float(total * scale))) { dy, tape in
            // dLoss/dSSIM = -weight / (2 * norm); chain through the blurred statistics.
            let g = -Double(dy.data[0]) * scale / 2
            var gMu = dMu, gExx = dExx, gExy = dExy
            for i in 0..<x.count {
                let factor = Float(g) * weights.data[(i / (c * plane)) * plane + i % plane]
                gMu[i] *= factor; gExx[i] *= factor; gExy[i] *= factor
            }
            let bMu = blur(gMu, planes: n * c, h, w), bExx = blur(gExx, planes: n * c, h, w), bExy = blur(gExy, planes: n * c, h, w)
            var dx = Tensor.zeros(target.shape)
            for i in 0..<x.count { dx.data[i] = bMu[i] + 2 * x[i] * bExx[i] + y[i] * bExy[i] }
            tape.accumulate(prediction, dx)
        }
    }

    /// The same loss without a tape (evaluation and tests).
    public static func loss(_ prediction: Tensor, target: Tensor, weights: Tensor) -> Double {
        Double(loss(Tape().variable(prediction), target: target, weights: weights).value.data[0])
    }

    /// Separable Gaussian blur of `planes` planes h x w, zero outside.
    static func blur(_ data: [Float], planes: Int, _ h: Int, _ w: Int) -> [Float] {
        let r = window.count / 2
        var rows = [Float](repeating: 0, count: data.count), out = rows
        data.withUnsafeBufferPointer { src in rows.withUnsafeMutableBufferPointer { dst in
            for p in 0..<planes { for yy in 0..<h {
                let row = p * h * w + yy * w
                for xx in 0..<w {
                    var s: Float = 0
                    for k in max(0, r - xx)..<min(window.count, w - xx + r) { s += window[k] * src[row + xx + k - r] }
                    dst[row + xx] = s
                }
            } }
        } }
        rows.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            for p in 0..<planes { for yy in 0..<h {
                let row = p * h * w + yy * w
                let k0 = max(0, r - yy), k1 = min(window.count, h - yy + r)
                for xx in 0..<w {
                    var s: Float = 0
                    for k in k0..<k1 { s += window[k] * src[row + (k - r) * w + xx] }
                    dst[row + xx] = s
                }
            } }
        } }
        return out
    }
}
