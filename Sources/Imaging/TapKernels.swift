/// Per-axis weights for the general (rotating) warp: for a sample at fractional offset `f` past
/// pixel index `i0`, tap `t` reads pixel `i0 - (radius - 1) + t`. Computed per pixel without
/// allocating (SIMD8 holds up to 8 taps).
protocol TapKernel {
    static var radius: Int { get }
    static func weights(_ f: Float) -> SIMD8<Float>
}

enum BilinearTaps: TapKernel {
    static let radius = 1
    @inline(__always) static func weights(_ f: Float) -> SIMD8<Float> {
        SIMD8(1 - f, f, 0, 0, 0, 0, 0, 0)
    }
}

/// Catmull-Rom (Keys a = -0.5), the closed form of `ResampleFilter.bicubic.weight` for 4 taps.
enum BicubicTaps: TapKernel {
    static let radius = 2
    @inline(__always) static func weights(_ f: Float) -> SIMD8<Float> {
        let f2 = f * f, f3 = f2 * f
        return SIMD8(
            -0.5 * f3 + f2 - 0.5 * f,
            1.5 * f3 - 2.5 * f2 + 1,
            -1.5 * f3 + 2 * f2 + 0.5 * f,
            0.5 * f3 - 0.5 * f2, 0, 0, 0, 0)
    }
}

/// Lanczos-3 with 3 trigonometric calls per axis: sin(pi (f - k)) only changes sign with k, and
/// sin(pi (f - k) / 3) follows from sin/cos(pi f / 3) by the angle-difference formula.
enum Lanczos3Taps: TapKernel {
    static let radius = 3
    // k = -2 ... 3 for taps 0 ... 5.
    private static let ks: SIMD8<Float> = [-2, -1, 0, 1, 2, 3, 0, 0]
    private static let cosK: SIMD8<Float> = SIMD8((0..<8).map { t in t < 6 ? Float(cos(Double.pi * Double(t - 2) / 3)) : 0 })
    private static let sinK: SIMD8<Float> = SIMD8((0..<8).map { t in t < 6 ? Float(sin(Double.pi * Double(t - 2) / 3)) : 0 })
    private static let signK: SIMD8<Float> = [1, -1, 1, -1, 1, -1, 0, 0]
    private static let active: SIMD8<Float> = [1, 1, 1, 1, 1, 1, 0, 0]

    @inline(__always) static func weights(_ f: Float) -> SIMD8<Float> {
        if f < 1e-6 { return SIMD8(0, 0, 1, 0, 0, 0, 0, 0) }
        let pf = Float.pi * f
        let s1 = sinf(pf), s3 = sinf(pf / 3), c3 = cosf(pf / 3)
        let t = SIMD8<Float>(repeating: f) - ks                      // distances f - k
        let num = 3 * s1 * signK * (s3 * cosK - c3 * sinK)            // 3 sin(pi t) sin(pi t / 3)
        let den = (Float.pi * Float.pi) * t * t
        var w = num / den * active
        w = w.replacing(with: 0, where: t .>= 3 .| t .<= -3)
        return w / w.sum()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
