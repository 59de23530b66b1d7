/// CIE xy chromaticities of a colour space's primaries and white point.
public struct Chromaticities: Equatable, Sendable {
    public var red: SIMD2<Double>, green: SIMD2<Double>, blue: SIMD2<Double>, white: SIMD2<Double>

    public init(red: SIMD2<Double>, green: SIMD2<Double>, blue: SIMD2<Double>, white: SIMD2<Double>) {
        (self.red, self.green, self.blue, self.white) = (red, green, blue, white)
    }

    public static let d65White = SIMD2(0.3127, 0.3290)
    /// The ACES white point (about 6000 K), SMPTE ST 2065-1.
    public static let acesWhite = SIMD2(0.32168, 0.33767)

    /// ITU-R BT.709 (= sRGB) primaries, D65.
    public static let rec709 = Chromaticities(red: [0.64, 0.33], green: [0.30, 0.60], blue: [0.15, 0.06], white: d65White)
    /// ACES AP1 (ACEScg), ACES white.
    public static let acesAP1 = Chromaticities(red: [0.713, 0.293], green: [0.165, 0.830], blue: [0.128, 0.044], white: acesWhite)
    /// ACES AP0 (ACES2065-1), ACES white.
    public static let acesAP0 = Chromaticities(red: [0.7347, 0.2653], green: [0.0, 1.0], blue: [0.0001, -0.0770], white: acesWhite)
    /// ITU-R BT.2020 (UHD video), D65.
    public static let rec2020 = Chromaticities(red: [0.708, 0.292], green: [0.170, 0.797], blue: [0.131, 0.046], white: d65White)
    /// SMPTE EG 432-1 P3 primaries with D65 white (Display P3, P3-D65 mastering).
    public static let p3D65 = Chromaticities(red: [0.680, 0.320], green: [0.265, 0.690], blue: [0.150, 0.060], white: d65White)
    /// SMPTE RP 431-2 DCI-P3: the same primaries with the DCI white.
    public static let p3DCI = Chromaticities(red: [0.680, 0.320], green: [0.265, 0.690], blue: [0.150, 0.060], white: [0.314, 0.351])

    /// XYZ (Y = 1) of an xy chromaticity.
    public static func xyz(_ xy: SIMD2<Double>) -> SIMD3<Double> { SIMD3(xy.x / xy.y, 1, (1 - xy.x - xy.y) / xy.y) }

    /// The normalised primary matrix: linear RGB -> CIE XYZ, white (1,1,1) -> the white point at Y = 1
    /// (SMPTE RP 177).
    public var rgbToXYZ: Matrix3 {
        let p = Matrix3(columns: Self.xyz(red), Self.xyz(green), Self.xyz(blue))
        let s = p.inverse * Self.xyz(white)
        return p * Matrix3.diagonal(s)
    }
}

/// Chromatic adaptation transforms (von Kries in a sharpened cone space).
public enum ChromaticAdaptation: String, Sendable, CaseIterable {
    /// Bradford (Lam 1985): what OpenColorIO's ACES 1.x configs and most comp packages use between
    /// D65 and the ACES white. plateswap's default, so its conversions agree with an OCIO pipeline.
    case bradford
    /// CIECAM02's CAT02: what the Academy's own ACES CTL transforms (ACEScsc) use.
    case cat02
    /// No adaptation: XYZ is carried across unchanged (white points then do not map to each other).
    case none

    var coneMatrix: Matrix3 {
        switch self {
        case .bradford: return Matrix3([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
        case .cat02: return Matrix3([[0.7328, 0.4296, -0.1624], [-0.7036, 1.6975, 0.0061], [0.0030, 0.0136, 0.9834]])
        case .none: return .identity
        }
    }

    /// XYZ under white `from` -> XYZ under white `to`.
    public func matrix(from: SIMD2<Double>, to: SIMD2<Double>) -> Matrix3 {
        if self == .none || from == to { return .identity }
        let m = coneMatrix
        let gain = (m * Chromaticities.xyz(to)) / (m * Chromaticities.xyz(from))
        return m.inverse * Matrix3.diagonal(gain) * m
    }
}

extension Chromaticities {
    /// Linear RGB in `self` -> linear RGB in `target`, adapting white points with `adaptation`.
    public func conversion(to target: Chromaticities, adaptation: ChromaticAdaptation = .bradford) -> Matrix3 {
        if self == target { return .identity }
        return target.rgbToXYZ.inverse * adaptation.matrix(from: white, to: target.white) * rgbToXYZ
    }
}
