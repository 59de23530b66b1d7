import Foundation
import Support

/// A colour space as shot.yaml and the command line name it, resolved: its OCIO name, and the
/// built-in space it is when it is one of the four plateswap can convert without OCIO.
///
/// Built-in spaces keep the built-in math (matrices and the sRGB curve), so results do not depend
/// on a config; every other space (log camera encodings, display spaces) goes through OCIO
/// processors of `config`.
public struct NamedColorSpace: Sendable, Hashable, CustomStringConvertible {
    /// The config's canonical name (the studio config's name for a built-in without a config).
    public let name: String
    public let builtIn: ColorSpace?
    /// The config the name was resolved in; nil for a built-in named without a config.
    public let config: OCIOConfig?

    public init(name: String, builtIn: ColorSpace?, config: OCIOConfig?) {
        precondition(builtIn != nil || config != nil, "a colour space outside the built-ins needs an OCIO config")
        (self.name, self.builtIn, self.config) = (name, builtIn, config)
    }

    /// A built-in space without a config.
    public init(_ space: ColorSpace) { self.init(name: space.ocioName, builtIn: space, config: nil) }

    public var description: String { name }

    /// True for scene-linear spaces (built-in linear ones, and config spaces whose encoding says so).
    public var isSceneLinear: Bool {
        if let builtIn { return builtIn.isLinear }
        return config?.encoding(of: name) == "scene-linear"
    }

    /// The primaries of the pixel values where plateswap knows them (the built-in spaces).
    public var chromaticities: Chromaticities? { builtIn?.chromaticities }

    /// Identity is the colour space, not how it was spelled or which file it came from.
    public static func == (a: NamedColorSpace, b: NamedColorSpace) -> Bool {
        if let x = a.builtIn, let y = b.builtIn { return x == y }
        return a.builtIn == b.builtIn && a.name == b.name && a.config == b.config
    }

    public func hash(into hasher: inout Hasher) {
        if let builtIn { hasher.combine(builtIn) } else { hasher.combine(name) }
    }
}

extension ColorSpace {
    /// The ACES studio config's canonical name of the space (what output EXRs are tagged with).
    public var ocioName: String {
        switch self {
        case .linearRec709: return "Linear Rec.709 (sRGB)"
        case .acescg: return "ACEScg"
        case .aces2065_1: return "ACES2065-1"
        case .srgb: return "sRGB - Texture"
        }
    }

    /// Names a config may give the space: the ACES 1.x and 2.x config names and aliases.
    var ocioCandidates: [String] {
        switch self {
        case .linearRec709: return [ocioName, "lin_rec709", "Utility - Linear - sRGB", "Utility - Linear - Rec.709", "lin_srgb"]
        case .acescg: return [ocioName, "lin_ap1", "ACES - ACEScg"]
        case .aces2065_1: return [ocioName, "aces2065_1", "lin_ap0", "ACES - ACES2065-1"]
        case .srgb: return [ocioName, "srgb_tx", "Utility - sRGB - Texture", "srgb_texture"]
        }
    }
}

/// Resolves colour-space names: the four built-in names, and every name, alias and role of an OCIO
/// config, all case-insensitively. Without a config only the built-ins and their ACES names resolve.
public struct ColorSpaceNames: Sendable {
    public let config: OCIOConfig?
    /// The config's canonical name of each built-in space it has.
    private let builtInNames: [ColorSpace: String]

    public init(config: OCIOConfig?) {
        self.config = config
        var names: [ColorSpace: String] = [:]
        if let config {
            for space in ColorSpace.allCases {
                if let found = space.ocioCandidates.lazy.compactMap({ config.canonicalName($0) }).first { names[space] = found }
            }
        }
        builtInNames = names
    }

    /// The resolved space a built-in maps onto in this config.
    public func builtIn(_ space: ColorSpace) -> NamedColorSpace {
        NamedColorSpace(name: builtInNames[space] ?? space.ocioName, builtIn: space, config: builtInNames[space] == nil ? nil : config)
    }

    /// `text` as a colour space; unknown names throw `ColorError.unknownName` with close matches.
    public func resolve(_ text: String) throws -> NamedColorSpace {
        let wanted = text.trimmingCharacters(in: .whitespaces)
        if let space = ColorSpace.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(wanted) == .orderedSame }) {
            return builtIn(space)
        }
        if let config {
            guard let canonical = config.canonicalName(wanted) else {
                throw ColorError.unknownName(wanted, suggestions: suggestions(for: wanted), config: config.path)
            }
            if let space = builtInNames.first(where: { $0.value == canonical })?.key { return builtIn(space) }
            return NamedColorSpace(name: canonical, builtIn: nil, config: config)
        }
        if let space = ColorSpace.allCases.first(where: { $0.ocioCandidates.contains { $0.caseInsensitiveCompare(wanted) == .orderedSame } }) {
            return builtIn(space)
        }
        throw ColorError.unknownName(wanted, suggestions: suggestions(for: wanted), config: nil)
    }

    /// Every name the resolver accepts: canonical names with their aliases, then the built-in names.
    public var allNames: [String] {
        var names: [String] = []
        if let config {
            for name in config.colorSpaceNames { names.append(name); names += config.aliases(of: name) }
        } else {
            for space in ColorSpace.allCases { names += space.ocioCandidates }
        }
        return names + ColorSpace.allCases.map(\.rawValue)
    }

    /// Names that contain `text` (or that it contains), else the nearest by edit distance; at most 5.
    func suggestions(for text: String) -> [String] {
        let key = Self.folded(text)
        guard !key.isEmpty else { return [] }
        let names = allNames
        let containing = names.filter { let n = Self.folded($0); return n.contains(key) || key.contains(n) && n.count >= 3 }
        if !containing.isEmpty { return Array(Self.unique(containing).prefix(5)) }
        let scored = names.map { ($0, editDistance(Array(key), Array(Self.folded($0)))) }
            .filter { $0.1 <= max(2, key.count / 3) }
            .sorted { $0.1 < $1.1 }
        return Array(Self.unique(scored.map(\.0)).prefix(5))
    }

    /// Lowercase letters and digits only, so "LogC3", "log-c3" and "logc 3" compare equal.
    static func folded(_ s: String) -> String { String(s.lowercased().filter { $0.isLetter || $0.isNumber }) }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0.lowercased()).inserted }
    }
}
