import Foundation
import Imaging

/// What a movie's or a PNG's colour tags say, in one vocabulary: primaries and transfer function.
/// `PlateColorRules` turns them into the plate's default colour space (README: Colour management).
public struct ColorTags: Equatable, Sendable {
    public enum Primaries: Equatable, Sendable {
        case rec709, rec2020, p3D65, p3DCI, acesAP1, acesAP0
        /// Primaries plateswap has no rule for, as the file gives them.
        case other(String)

        public var chromaticities: Chromaticities? {
            switch self {
            case .rec709: return .rec709
            case .rec2020: return .rec2020
            case .p3D65: return .p3D65
            case .p3DCI: return .p3DCI
            case .acesAP1: return .acesAP1
            case .acesAP0: return .acesAP0
            case .other: return nil
            }
        }

        public var label: String {
            switch self {
            case .rec709: return "Rec.709"
            case .rec2020: return "Rec.2020"
            case .p3D65: return "P3-D65"
            case .p3DCI: return "P3-DCI"
            case .acesAP1: return "ACES AP1"
            case .acesAP0: return "ACES AP0"
            case let .other(text): return text
            }
        }
    }

    public enum Transfer: Equatable, Sendable {
        case linear
        /// The piecewise sRGB curve.
        case srgb
        /// The SDR video camera curve of BT.709 / BT.601 / BT.2020 (a BT.1886 display decodes it).
        case video
        /// A pure power law, as its display gamma rounded to 0.1 (PNG gAMA 0.45455 -> 2.2).
        case gamma(Double)
        /// SMPTE ST 2084 (PQ) and ARIB STD-B67 (HLG).
        case pq, hlg
        case other(String)

        public var isLinear: Bool? {
            switch self {
            case .linear: return true
            case .other: return nil
            default: return false
            }
        }
    }

    /// nil: the file leaves it untagged.
    public var primaries: Primaries?
    public var transfer: Transfer?
    /// The tags as the file spells them, for messages: `color_primaries bt2020, color_trc bt709`,
    /// `gAMA 1.00000, cHRM Rec.2020 primaries`.
    public var text: String
    /// The file carries no colour tag at all.
    public var isUntagged: Bool { primaries == nil && transfer == nil }

    public init(primaries: Primaries?, transfer: Transfer?, text: String) {
        (self.primaries, self.transfer, self.text) = (primaries, transfer, text)
    }

    /// A movie stream's tags as FFmpeg names them (AVCodecParameters `color_primaries`, `color_trc`,
    /// `color_space`; `unknown` when untagged). BT.601 primaries (`bt470bg`, `smpte170m`,
    /// `smpte240m`) count as Rec.709: they differ by at most 0.01 in xy, and players show them
    /// unconverted. Untagged primaries with a BT.2020 YUV matrix are BT.2020, as players take them.
    public static func movie(primaries: String, transfer: String, matrix: String) -> ColorTags {
        let untagged: Set<String> = ["unknown", "unspecified", "reserved", ""]
        var p: Primaries?
        switch primaries {
        case "bt709", "bt470bg", "smpte170m", "smpte240m": p = .rec709
        case "bt2020": p = .rec2020
        case "smpte432": p = .p3D65
        case "smpte431": p = .p3DCI
        case let name where untagged.contains(name): p = nil
        default: p = .other("color_primaries \(primaries)")
        }
        var t: Transfer?
        switch transfer {
        case "bt709", "smpte170m", "bt470bg", "smpte240m", "bt2020-10", "bt2020-12", "bt1361e", "iec61966-2-4": t = .video
        case "bt470m": t = .gamma(2.2)
        case "iec61966-2-1": t = .srgb
        case "linear": t = .linear
        case "smpte2084": t = .pq
        case "arib-std-b67": t = .hlg
        case let name where untagged.contains(name): t = nil
        default: t = .other("color_trc \(transfer)")
        }
        var parts = ["color_primaries \(primaries)", "color_trc \(transfer)"]
        if p == nil, matrix == "bt2020nc" || matrix == "bt2020c" {
            p = .rec2020
            parts.append("colorspace \(matrix), so BT.2020 primaries")
        }
        let tags = ColorTags(primaries: p, transfer: t, text: parts.joined(separator: ", "))
        return tags.isUntagged ? ColorTags(primaries: nil, transfer: nil, text: "no colour tags") : tags
    }

    /// The primaries a set of xy chromaticities is (PNG cHRM, EXR chromaticities), to the 0.002
    /// files round them to; `.other` with the numbers otherwise.
    public static func primaries(_ c: Chromaticities) -> Primaries {
        let known: [(Primaries, Chromaticities)] = [(.rec709, .rec709), (.rec2020, .rec2020), (.p3D65, .p3D65), (.p3DCI, .p3DCI),
                                                    (.acesAP1, .acesAP1), (.acesAP0, .acesAP0)]
        if let (p, _) = known.first(where: { PlateColorRules.matches($0.1, c) }) { return p }
        func xy(_ v: SIMD2<Double>) -> String { String(format: "(%.4f, %.4f)", v.x, v.y) }
        return .other("primaries R\(xy(c.red)) G\(xy(c.green)) B\(xy(c.blue)) white\(xy(c.white))")
    }
}

extension PNGColorTags {
    /// The chunks in the common vocabulary. An sRGB chunk means sRGB whatever gAMA and cHRM say (PNG
    /// spec 11.3.3.5), and so does an ICC profile (iCCP) whose name says sRGB. Other ICC profiles
    /// are not read: gAMA and cHRM (which writers add as the profile's summary) decide, as they
    /// do for a file without iCCP.
    public var colorTags: ColorTags {
        if srgb { return ColorTags(primaries: .rec709, transfer: .srgb, text: "sRGB chunk") }
        if let profile = iccProfile, profile.lowercased().contains("srgb") {
            return ColorTags(primaries: .rec709, transfer: .srgb, text: "iCCP profile '\(profile)'")
        }
        var parts: [String] = []
        var transfer: ColorTags.Transfer?
        if let gamma {
            parts.append(String(format: "gAMA %.5f", gamma))
            if abs(gamma - 1) < 0.01 {
                transfer = .linear
            } else if gamma > 0 {
                let display = 1 / gamma, rounded = (display * 10).rounded() / 10
                transfer = abs(display - rounded) < 0.02 ? .gamma(rounded) : .other(String(format: "gAMA %.5f", gamma))
            } else {
                transfer = .other("gAMA 0")
            }
        }
        var primaries: ColorTags.Primaries?
        if let c = chromaticities, c.count == 4 {
            let p = ColorTags.primaries(Chromaticities(red: c[1], green: c[2], blue: c[3], white: c[0]))
            primaries = p
            parts.append("cHRM " + (p.chromaticities == nil ? p.label : "\(p.label) primaries"))
        }
        if let profile = iccProfile { parts.append("iCCP profile '\(profile)' (not read)") }
        return ColorTags(primaries: primaries, transfer: transfer, text: parts.isEmpty ? "no colour chunks" : parts.joined(separator: ", "))
    }
}
