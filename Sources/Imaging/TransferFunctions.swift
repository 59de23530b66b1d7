/// The sRGB transfer function (IEC 61966-2-1), piecewise: linear toe below 0.0031308 (encoded 0.04045).
///
/// Negative values are mirrored (sign kept), so out-of-gamut data survives a round trip; values above
/// 1 follow the power curve. Nothing is clamped here: clamp explicitly where a codec needs [0, 1].
public enum SRGB {
    @inline(__always) public static func encode(_ linear: Float) -> Float {
        let x = abs(linear)
        let y: Float = x <= 0.0031308 ? 12.92 * x : 1.055 * powf(x, 1 / 2.4) - 0.055
        return linear < 0 ? -y : y
    }

    @inline(__always) public static func decode(_ encoded: Float) -> Float {
        let x = abs(encoded)
        let y: Float = x <= 0.04045 ? x / 12.92 : powf((x + 0.055) / 1.055, 2.4)
        return encoded < 0 ? -y : y
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
