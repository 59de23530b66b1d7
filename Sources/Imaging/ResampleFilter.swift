/// Reconstruction filters for warps and resizes.
public enum ResampleFilter: String, CaseIterable, Sendable {
    /// Tent, 2x2 taps.
    case bilinear
    /// Keys cubic with a = -0.5 (Catmull-Rom): interpolating, 4x4 taps.
    case bicubic
    /// Windowed sinc, 6x6 taps, weights normalised to sum to 1.
    case lanczos3
    /// Box average over the output pixel's footprint, for strong downscales. Along an axis that is
    /// magnified it behaves like `bilinear`.
    case area

    /// Kernel radius in input pixels at scale 1.
    var radius: Int {
        switch self {
        case .bilinear, .area: return 1
        case .bicubic: return 2
        case .lanczos3: return 3
        }
    }

    /// Kernel value at distance `t` (input pixels, unscaled); used for tap tables.
    func weight(_ t: Double) -> Double {
        let x = abs(t)
        switch self {
        case .bilinear, .area:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            return 0
        case .lanczos3:
            if x >= 3 { return 0 }
            // Exact zeros at integer distances (sin(pi k) is only ~1e-16 in floating point).
            if abs(x - x.rounded()) < 1e-9 { return x.rounded() == 0 ? 1 : 0 }
            let px = Double.pi * x
            return 3 * sin(px) * sin(px / 3) / (px * px)
        }
    }
}

/// What a sample that falls outside the source image sees.
public enum EdgeMode: String, Sendable {
    /// The nearest edge pixel (edge pixels repeat outwards).
    case clamp
    /// Zero: pixels outside the image are black and transparent.
    case zero
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
