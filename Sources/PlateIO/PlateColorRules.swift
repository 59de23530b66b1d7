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
        /// A movie's transfer characteristic as FFmpeg names it (`bt709`, `iec61966-2-1`, `linear`, `unknown` ...).
        case movie(transfer: String)
        case png(PNGColorTags)
        /// DPX, TIFF, JPEG: code values with no tag plateswap reads.
        case image
    }

    /// What `url` says about its pixels (EXR: its first part's header; PNG: its colour chunks;
    /// movies: the stream's transfer tag).
    public static func evidence(for url: URL) throws -> Evidence {
        switch url.pathExtension.lowercased() {
        case "exr":
            guard let header = try ExrImage.headers(of: url).first else { return .image }
            return .exr(header)
        case "png": return .png(PNGColorTags.read(url))
        case let ext where StillImage.extensions.contains(ext): return .image
        default: return .movie(transfer: try MovieInfo.probe(url, countFrames: false).colorTransfer)
        }
    }

    /// The space of the pixels when none is declared:
    /// - EXR: the space its `oiio:ColorSpace` attribute names when the config knows it (OIIO,
    ///   Nuke and plateswap's own outputs write it), else the built-in space its `chromaticities` attribute names (Rec.709 -> linear_rec709,
    ///   AP1 -> acescg, AP0 -> aces2065_1), else linear_rec709 (OpenEXR's default primaries);
    /// - movies: srgb (display-encoded video: BT.709 / sRGB transfer), linear_rec709 when tagged linear;
    /// - PNG: srgb, linear_rec709 when its gAMA chunk says 1.0 and it has no sRGB chunk;
    /// - DPX, TIFF, JPEG: srgb (the code values as stored; declare a log space such as ADX10 for log DPX).
    public static func defaultSpace(_ evidence: Evidence, names: ColorSpaceNames) -> NamedColorSpace {
        switch evidence {
        case let .exr(header):
            if case let .string(tag)? = header.attributes[colorSpaceAttribute], let space = try? names.resolve(tag) { return space }
            if let tagged = chromaticities(header),
               let space = [ColorSpace.linearRec709, .acescg, .aces2065_1].first(where: { matches($0.chromaticities, tagged) }) {
                return names.builtIn(space)
            }
            return names.builtIn(.linearRec709)
        case let .movie(transfer):
            return names.builtIn(transfer == "linear" ? .linearRec709 : .srgb)
        case let .png(tags):
            return names.builtIn(tags.isLinear ? .linearRec709 : .srgb)
        case .image:
            return names.builtIn(.srgb)
        }
    }

    /// The space to read `file` in: the declared one, checked against the file, or the default.
    /// A declared space whose primaries contradict an EXR's `chromaticities` attribute is an error
    /// naming both (`PlateColorMismatch`), or a warning under `policy: .warn`.
    public static func space(declared: NamedColorSpace?, evidence: Evidence, names: ColorSpaceNames,
                             file: String, policy: MismatchPolicy, key: String = "plate.colorspace") throws -> NamedColorSpace {
        guard let declared else { return defaultSpace(evidence, names: names) }
        if case let .exr(header) = evidence, let tagged = chromaticities(header), let expected = declared.chromaticities,
           !matches(expected, tagged) {
            let mismatch = PlateColorMismatch(file: file, declared: declared.name, tagged: describe(tagged), key: key)
            if policy == .warn { Log.warning(mismatch.description) } else { throw mismatch }
        }
        return declared
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
        let known: [(String, Chromaticities)] = [("Rec.709/sRGB primaries", .rec709), ("ACES AP1 (ACEScg) primaries", .acesAP1),
                                                  ("ACES AP0 (ACES2065-1) primaries", .acesAP0)]
        if let (name, _) = known.first(where: { matches($0.1, c) }) { return name }
        func xy(_ v: SIMD2<Double>) -> String { String(format: "(%.4f, %.4f)", v.x, v.y) }
        return "primaries R\(xy(c.red)) G\(xy(c.green)) B\(xy(c.blue)) white\(xy(c.white))"
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
