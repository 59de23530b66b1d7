import Foundation
import Imaging
import Support

/// The colour rules every reader of plates follows (`run`, `track`, `extract`, `detect`, review):
/// which colour space a file's pixels are in when none is declared, and whether a declared one
/// contradicts the file.
public enum PlateColorRules {
    /// What a declared colour space that an EXR's chromaticities contradict is: an error or a warning
    /// (shot.yaml `plate.chromaticities`).
    public enum MismatchPolicy: String, CaseIterable, Codable, Sendable { case error, warn }

    /// The attribute naming an EXR's colour space: OpenImageIO's, which Nuke's OCIO nodes and
    /// oiiotool read and write.
    public static let colorSpaceAttribute = "oiio:ColorSpace"

    /// What a file says about its pixels.
    public enum Evidence {
        case exr(ExrHeader)
        /// A movie stream's colour tags (`ColorTags.movie`).
        case movie(ColorTags)
        case png(PNGColorTags)
        /// DPX, TIFF, JPEG: code values with no tag plateswap reads.
        case image
    }

    /// What `url` says about its pixels (EXR: its first part's header; PNG: its colour chunks;
    /// movies: the stream's primaries, transfer and matrix tags).
    public static func evidence(for url: URL) throws -> Evidence {
        switch url.pathExtension.lowercased() {
        case "exr":
            guard let header = try ExrImage.headers(of: url).first else { return .image }
            return .exr(header)
        case "png": return .png(PNGColorTags.read(url))
        case let ext where StillImage.extensions.contains(ext): return .image
        default: return .movie(movieTags(try MovieInfo.probe(url, countFrames: false)))
        }
    }

    public static func movieTags(_ info: MovieInfo) -> ColorTags {
        .movie(primaries: info.colorPrimaries, transfer: info.colorTransfer, matrix: info.colorSpace)
    }

    /// The colour space chosen for a plate, and the rule that chose it (for the log and `info`).
    public struct Choice: Sendable {
        public let space: NamedColorSpace
        /// `declared plate.colorspace`, `movie color_primaries bt709, color_trc bt709`,
        /// `PNG sRGB chunk`, `EXR chromaticities ACES AP1 (ACEScg) primaries`, ...
        public let rule: String
        public let declared: Bool
    }

    /// The space of the pixels when none is declared:
    /// - EXR: the space its `oiio:ColorSpace` attribute names when the config knows it (OIIO,
    ///   Nuke and plateswap's own outputs write it), else the built-in space its `chromaticities`
    ///   attribute names (Rec.709 -> linear_rec709, AP1 -> acescg, AP0 -> aces2065_1), else
    ///   linear_rec709 (OpenEXR's default primaries);
    /// - movies and PNG: by their primaries and transfer (`tagRules`); untagged is Rec.709 video,
    ///   `srgb`. Tags with no rule, or a rule whose space the config lacks, are a
    ///   `PlateColorTagError` naming the file and the tags;
    /// - DPX, TIFF, JPEG: srgb (the code values as stored; declare a log space such as ADX10 for log DPX).
    public static func defaultChoice(_ evidence: Evidence, names: ColorSpaceNames, file: String,
                                     key: String = "plate.colorspace") throws -> Choice {
        switch evidence {
        case let .exr(header):
            return exrDefault(header, names: names)
        case let .movie(tags):
            return try tagged(tags, kind: "movie", names: names, file: file, key: key)
        case let .png(chunks):
            let choice = try tagged(chunks.colorTags, kind: "PNG", names: names, file: file, key: key)
            if let profile = chunks.iccProfile, !chunks.srgb, !profile.lowercased().contains("srgb") {
                Log.warning("\(file): its ICC profile '\(profile)' (iCCP chunk) is not read: the pixels are taken as '\(choice.space.name)' (\(choice.rule)); declare \(key) if the profile says otherwise")
            }
            return choice
        case .image:
            return Choice(space: names.builtIn(.srgb), rule: "DPX/TIFF/JPEG code values as stored", declared: false)
        }
    }

    /// An EXR's own space (see `defaultChoice`).
    public static func exrDefault(_ header: ExrHeader, names: ColorSpaceNames) -> Choice {
        if case let .string(tag)? = header.attributes[colorSpaceAttribute], let space = try? names.resolve(tag) {
            return Choice(space: space, rule: "EXR \(colorSpaceAttribute) '\(tag)'", declared: false)
        }
        if let tagged = chromaticities(header),
           let space = [ColorSpace.linearRec709, .acescg, .aces2065_1].first(where: { matches($0.chromaticities, tagged) }) {
            return Choice(space: names.builtIn(space), rule: "EXR chromaticities \(describe(tagged))", declared: false)
        }
        return Choice(space: names.builtIn(.linearRec709), rule: "EXR without colour attributes (OpenEXR's default Rec.709 primaries)", declared: false)
    }

    /// The space to read `file` in: the declared one, checked against the file, or the default.
    /// A declared space whose primaries contradict an EXR's `chromaticities` attribute is an error
    /// naming both (`PlateColorMismatch`), or a warning under `policy: .warn`. A declared space that
    /// contradicts a movie's or PNG's tags is always a warning naming both: video and PNG tags are
    /// often written by default, so the declaration wins.
    public static func choose(declared: NamedColorSpace?, evidence: Evidence, names: ColorSpaceNames, file: String,
                              policy: MismatchPolicy, key: String = "plate.colorspace") throws -> Choice {
        guard let declared else { return try defaultChoice(evidence, names: names, file: file, key: key) }
        switch evidence {
        case let .exr(header):
            if let tagged = chromaticities(header), let expected = declared.chromaticities, !matches(expected, tagged) {
                let mismatch = PlateColorMismatch(file: file, declared: declared.name, tagged: describe(tagged), key: key)
                if policy == .warn { Log.warning(mismatch.description) } else { throw mismatch }
            }
        case let .movie(tags):
            warnIfContradicted(declared, by: tags, kind: "movie", names: names, file: file, key: key)
        case let .png(chunks):
            warnIfContradicted(declared, by: chunks.colorTags, kind: "PNG", names: names, file: file, key: key)
        case .image:
            break
        }
        return Choice(space: declared, rule: "declared \(key)", declared: true)
    }

    // MARK: - Movie and PNG tags

    /// A movie's or PNG's primaries and transfers, and the space they mean: a built-in space, or
    /// the first of `names` the OCIO config has. Untagged primaries count as Rec.709.
    struct TagRule: Sendable {
        let primaries: ColorTags.Primaries
        let transfers: [ColorTags.Transfer?]
        var builtIn: ColorSpace?
        var names: [String] = []
    }

    /// Display-encoded video and images are read as the display space of their primaries and curve
    /// (the ACES configs' names and aliases); Rec.709 video stays `srgb` (the built-in every
    /// command has used, with no config needed: the sRGB and BT.1886 curves differ only near black).
    static let tagRules: [TagRule] = [
        TagRule(primaries: .rec709, transfers: [nil, .video, .srgb, .gamma(2.2)], builtIn: .srgb),
        TagRule(primaries: .rec709, transfers: [.linear], builtIn: .linearRec709),
        TagRule(primaries: .rec709, transfers: [.gamma(1.8)], names: ["Gamma 1.8 Rec.709 - Texture", "g18_rec709_tx"]),
        TagRule(primaries: .rec709, transfers: [.gamma(2.4)], names: ["Gamma 2.4 Rec.709 - Texture", "g24_rec709_tx"]),
        TagRule(primaries: .rec2020, transfers: [nil, .video, .gamma(2.4)], names: ["Rec.1886 Rec.2020 - Display", "rec1886_rec2020_display"]),
        TagRule(primaries: .rec2020, transfers: [.linear], names: ["Linear Rec.2020", "lin_rec2020"]),
        TagRule(primaries: .rec2020, transfers: [.pq], names: ["Rec.2100-PQ - Display", "rec2100_pq_display"]),
        TagRule(primaries: .rec2020, transfers: [.hlg], names: ["Rec.2100-HLG - Display", "rec2100_hlg_display"]),
        TagRule(primaries: .p3D65, transfers: [nil, .gamma(2.6)], names: ["P3-D65 - Display", "p3d65_display"]),
        TagRule(primaries: .p3D65, transfers: [.srgb], names: ["Display P3 - Display", "displayp3_display"]),
        TagRule(primaries: .p3D65, transfers: [.linear], names: ["Linear P3-D65", "lin_p3d65"]),
        TagRule(primaries: .p3D65, transfers: [.pq], names: ["ST2084-P3-D65 - Display", "st2084_p3d65_display"]),
        TagRule(primaries: .p3DCI, transfers: [nil, .gamma(2.6)], names: ["P3-DCI - Display", "p3_dci_display"]),
        TagRule(primaries: .acesAP1, transfers: [.linear], builtIn: .acescg),
        TagRule(primaries: .acesAP1, transfers: [.gamma(2.2)], names: ["Gamma 2.2 AP1 - Texture", "g22_ap1_tx"]),
        TagRule(primaries: .acesAP1, transfers: [.srgb], names: ["sRGB Encoded AP1 - Texture", "srgb_encoded_ap1_tx"]),
        TagRule(primaries: .acesAP0, transfers: [.linear], builtIn: .aces2065_1),
    ]

    static func rule(for tags: ColorTags) -> TagRule? {
        let primaries = tags.primaries ?? .rec709
        return tagRules.first { $0.primaries == primaries && $0.transfers.contains(tags.transfer) }
    }

    /// The space a movie's or PNG's tags mean, or a `PlateColorTagError`.
    static func tagged(_ tags: ColorTags, kind: String, names: ColorSpaceNames, file: String, key: String) throws -> Choice {
        let text = tags.isUntagged && tags.text.hasPrefix("no ") ? "untagged \(kind)" : "\(kind) \(tags.text)"
        guard let rule = rule(for: tags) else {
            throw PlateColorTagError(file: file, kind: kind, tags: tags.text, wanted: nil, config: names.config?.path, key: key)
        }
        if let builtIn = rule.builtIn { return Choice(space: names.builtIn(builtIn), rule: text, declared: false) }
        guard let space = rule.names.lazy.compactMap({ try? names.resolve($0) }).first else {
            throw PlateColorTagError(file: file, kind: kind, tags: tags.text, wanted: rule.names[0], config: names.config?.path, key: key)
        }
        return Choice(space: space, rule: text, declared: false)
    }

    /// The primaries of a space where plateswap knows them: the built-ins, and the spaces of `tagRules`.
    static func primaries(of space: NamedColorSpace) -> Chromaticities? {
        if let c = space.chromaticities { return c }
        let rule = tagRules.first { rule in
            rule.names.contains { $0.caseInsensitiveCompare(space.name) == .orderedSame || space.config?.canonicalName($0) == space.name }
        }
        return rule?.primaries.chromaticities
    }

    /// Warns when a declared space contradicts a movie's or PNG's tags: other primaries (where both
    /// are known), or linear light against an encoded transfer (or the reverse).
    static func warnIfContradicted(_ declared: NamedColorSpace, by tags: ColorTags, kind: String, names: ColorSpaceNames,
                                   file: String, key: String) {
        var says: [String] = []
        if let p = tags.primaries, let tagged = p.chromaticities, let own = primaries(of: declared), !matches(own, tagged) {
            says.append("\(p.label) primaries")
        }
        if let linear = tags.transfer?.isLinear, linear != declared.isSceneLinear {
            says.append(linear ? "linear light" : "an encoded (not linear) transfer")
        }
        guard !says.isEmpty else { return }
        let implied = (try? tagged(tags, kind: kind, names: names, file: file, key: key)).map { "; they mean '\($0.space.name)'" } ?? ""
        Log.warning("\(file): \(key) is '\(declared.name)' but the \(kind)'s colour tags (\(tags.text)) say \(says.joined(separator: " and "))\(implied); going on with the declared space")
    }

    /// An EXR's `chromaticities` attribute, if it has one.
    static func chromaticities(_ header: ExrHeader) -> Chromaticities? {
        guard case let .chromaticities(c)? = header.attributes["chromaticities"] else { return nil }
        func d(_ v: SIMD2<Float>) -> SIMD2<Double> { SIMD2(Double(v.x), Double(v.y)) }
        return Chromaticities(red: d(c.red), green: d(c.green), blue: d(c.blue), white: d(c.white))
    }

    /// Equal to the precision files store them with (written as float, often rounded to 4 digits).
    static func matches(_ a: Chromaticities, _ b: Chromaticities) -> Bool {
        [a.red - b.red, a.green - b.green, a.blue - b.blue, a.white - b.white].allSatisfy { abs($0.x) < 0.002 && abs($0.y) < 0.002 }
    }

    /// The attribute as a name where it is a known set of primaries, else its numbers.
    static func describe(_ c: Chromaticities) -> String {
        switch ColorTags.primaries(c) {
        case .rec709: return "Rec.709/sRGB primaries"
        case .acesAP1: return "ACES AP1 (ACEScg) primaries"
        case .acesAP0: return "ACES AP0 (ACES2065-1) primaries"
        case let .other(numbers): return numbers
        case let known: return "\(known.label) primaries"
        }
    }

    /// The `chromaticities` attribute an output in `space` carries: its primaries where they apply
    /// (scene-linear built-in spaces), nil otherwise (a log or display encoding's values are not
    /// linear in any primaries, so the attribute would mislead).
    public static func outputChromaticities(_ space: NamedColorSpace) -> ExrChromaticities? {
        guard let builtIn = space.builtIn, builtIn.isLinear else { return nil }
        let c = builtIn.chromaticities
        func f(_ v: SIMD2<Double>) -> SIMD2<Float> { SIMD2(Float(v.x), Float(v.y)) }
        return ExrChromaticities(red: f(c.red), green: f(c.green), blue: f(c.blue), white: f(c.white))
    }

    /// The EXR attributes that tag an output frame with its colour space: the OCIO name (as OIIO
    /// and Nuke's OCIO nodes read it) and, where they apply, the chromaticities.
    public static func outputAttributes(_ space: NamedColorSpace) -> [String: ExrAttribute] {
        var attributes: [String: ExrAttribute] = [colorSpaceAttribute: .string(space.name)]
        if let c = outputChromaticities(space) { attributes["chromaticities"] = .chromaticities(c) }
        return attributes
    }
}

/// A declared colour space that an EXR's chromaticities contradict (a configuration problem, exit 2).
public struct PlateColorMismatch: Error, CustomStringConvertible, LocalizedError {
    public let file: String
    public let declared: String
    public let tagged: String
    /// Where the space was declared: `plate.colorspace`, or a command's `--colorspace`.
    public var key = "plate.colorspace"

    public var description: String {
        let text = "\(file): \(key) is '\(declared)' but the EXR's chromaticities attribute says \(tagged)"
        guard key == "plate.colorspace" else { return text }
        return text + " (fix plate.colorspace, or set plate.chromaticities: warn to go on with the declared space)"
    }

    public var errorDescription: String? { description }
}

/// A movie or PNG whose colour tags give no colour space plateswap can use: tags it has no rule
/// for, or a space the OCIO config lacks (a configuration problem, exit 2).
public struct PlateColorTagError: ExitStatusError, LocalizedError {
    public let file: String
    /// `movie` or `PNG`.
    public let kind: String
    /// The tags as the file spells them.
    public let tags: String
    /// The space the tags mean, when there is a rule for them.
    public let wanted: String?
    public let config: String?
    /// Where a space can be declared instead.
    public var key = "plate.colorspace"

    public var exitStatus: Int32 { ExitStatus.badInput }

    /// The message without the file name.
    public var reason: String {
        let fix = "declare \(key) with the space its pixels are in"
        guard let wanted else { return "plateswap has no default colour space for the \(kind)'s colour tags (\(tags)); \(fix)" }
        let lacking = config.map { "which the OCIO config \($0) does not have" } ?? "which needs an OCIO config (set colour.config or $OCIO)"
        return "the \(kind)'s colour tags (\(tags)) mean the colour space '\(wanted)', \(lacking); \(fix)"
    }

    public var description: String { "\(file): \(reason)" }

    public var errorDescription: String? { description }
}
