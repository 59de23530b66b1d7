/// SSIM (Wang, Bovik, Sheikh and Simoncelli 2004) as a per-pixel map: local means, variances and
/// covariance under an 11x11 Gaussian window of sigma 1.5, C1 = (0.01 L)^2, C2 = (0.03 L)^2 for a
/// data range L = 1, population (not sample) statistics, as scikit-image's
/// `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`.
public enum StructuralSimilarity {
    /// The window's separable taps and the constants, shared with the training loss (MaskedDSSIM).
    public static let window = gaussianTaps(sigma: 1.5, radius: 5)
    public static let c1: Float = 0.01 * 0.01
    public static let c2: Float = 0.03 * 0.03

    static func map(_ x: QualityPlane, _ y: QualityPlane) -> QualityPlane {
        let muX = x.filtered(window), muY = y.filtered(window)
        let xx = x.zip(x, *).filtered(window), yy = y.zip(y, *).filtered(window), xy = x.zip(y, *).filtered(window)
        var out = [Float](repeating: 0, count: x.values.count)
        for i in 0..<out.count {
            let mx = muX.values[i], my = muY.values[i]
            let vx = xx.values[i] - mx * mx, vy = yy.values[i] - my * my, cov = xy.values[i] - mx * my
            out[i] = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        }
        return QualityPlane(width: x.width, height: x.height, values: out)
    }
}
