import Foundation

/// How close a swapped face is to a reference (the plate) inside a mask. Each score is a
/// mask-weighted mean over the measured pixels; see `FaceQuality.measure`.
public struct FaceQualityScores: Equatable, Sendable {
    /// 10 log10(1 / mse) in dB; +infinity when the images agree inside the mask.
    public var psnr: Double { mse > 0 ? 10 * log10(1 / mse) : .infinity }
    /// Mean SSIM on luminance, 1 = identical structure.
    public var ssim: Double { ssimSum / weight }
    /// Detail ratio: the output's band-pass energy over the reference's. 1 = as detailed, a blur
    /// is near 0, noise above 1; 1 when both are flat, +infinity when only the reference is.
    public var detail: Double {
        referenceDetail > 0 ? outputDetail / referenceDetail : (outputDetail > 0 ? .infinity : 1)
    }
    /// Mean gradient-magnitude similarity (GMSD's map) on luminance, 1 = the same edges.
    public var gms: Double { gmsSum / weight }

    /// Sum of the mask's weights over the measured pixels (pixels fully inside the mask count 1).
    public let weight: Double
    /// Mask-weighted mean squared error over R, G and B (clamped to [0, 1]).
    public let mse: Double
    /// Mask-weighted mean band-pass energies of the output and the reference.
    public let outputDetail: Double
    public let referenceDetail: Double
    /// Mask-weighted sums of the SSIM and GMS maps (pooling sums keeps combined scores exact).
    let ssimSum: Double
    let gmsSum: Double

    /// Scores over all the pixels of several measurements (e.g. the frames of a shot), each pixel
    /// weighted by its mask: ssim and gms are the weight-weighted means of the parts, psnr is that of
    /// the pooled MSE and detail the ratio of the pooled energies. nil for an empty list.
    public static func pooled(_ parts: [FaceQualityScores]) -> FaceQualityScores? {
        guard !parts.isEmpty else { return nil }
        let weight = parts.reduce(0) { $0 + $1.weight }
        func mean(_ value: (FaceQualityScores) -> Double) -> Double {
            parts.reduce(0) { $0 + $1.weight * value($1) } / weight
        }
        return FaceQualityScores(weight: weight, mse: mean(\.mse), outputDetail: mean(\.outputDetail),
                                 referenceDetail: mean(\.referenceDetail), ssimSum: parts.reduce(0) { $0 + $1.ssimSum },
                                 gmsSum: parts.reduce(0) { $0 + $1.gmsSum })
    }
}
