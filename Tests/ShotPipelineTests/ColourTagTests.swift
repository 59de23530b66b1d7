import Foundation
import Imaging
import PlateIO
import Support
import XCTest
@testable import ShotPipeline

/// Movie and PNG plates take their default colour space from their tags (issue 14): primaries and
/// transfer pick the space (README: Colour management), tags without a usable space are a typed
/// error naming the file and the tags, and a declared space always wins, with a warning naming
/// both when it contradicts the tags.
final class ColourTagTests: XCTestCase {
    static let studio = ExtractFixtures.shared.appendingPathComponent("ocio/studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
    static let cg = ExtractFixtures.shared.appendingPathComponent("ocio/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
    var dir: URL!

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("colourtags")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func names(_ config: URL? = studio) throws -> ColorSpaceNames {
        ColorSpaceNames(config: try config.map { try OCIOConfig.load($0.path) })
    }

    func open(_ path: URL, declared: String? = nil, config: URL? = studio) throws -> FrameSource {
        var options = FrameSource.Options()
        options.names = try names(config)
        options.colorspace = try declared.map { try options.names.resolve($0) }
        return try FrameSource(path: path.path, options: options)
    }

    static func srgbEncode(_ v: Double) -> Double { v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055 }

    /// What the network should see of a pixel whose linear light in primaries `c` is `linear`:
    /// Rec.709 linear, clamped, sRGB-encoded.
    static func network(_ linear: SIMD3<Double>, primaries c: Chromaticities) -> SIMD3<Double> {
        let m = c.conversion(to: .rec709)
        let v = m * linear
        return SIMD3(srgbEncode(min(max(v.x, 0), 1)), srgbEncode(min(max(v.y, 0), 1)), srgbEncode(min(max(v.z, 0), 1)))
    }

    func testMovieTagsChooseTheDefaultSpace() throws {
        let cases: [(name: String, tags: [String], space: String, rule: String)] = [
            ("untagged", [], "sRGB - Texture", "untagged movie"),
            ("bt709", ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"], "sRGB - Texture",
             "movie color_primaries bt709, color_trc bt709"),
            ("linear", ["-color_primaries", "bt709", "-color_trc", "linear"], "Linear Rec.709 (sRGB)", "color_trc linear"),
            ("bt2020", ["-color_primaries", "bt2020", "-color_trc", "bt709", "-colorspace", "bt2020nc"], "Rec.1886 Rec.2020 - Display",
             "movie color_primaries bt2020, color_trc bt709"),
            ("matrix2020", ["-colorspace", "bt2020nc"], "Rec.1886 Rec.2020 - Display", "colorspace bt2020nc, so BT.2020 primaries"),
            ("pq", ["-color_primaries", "bt2020", "-color_trc", "smpte2084"], "Rec.2100-PQ - Display", "color_trc smpte2084"),
            ("hlg", ["-color_primaries", "bt2020", "-color_trc", "arib-std-b67"], "Rec.2100-HLG - Display", "color_trc arib-std-b67"),
            ("p3d65", ["-color_primaries", "smpte432"], "P3-D65 - Display", "color_primaries smpte432"),
            ("p3dci", ["-color_primaries", "smpte431"], "P3-DCI - Display", "color_primaries smpte431"),
        ]
        for item in cases {
            let url = dir.appendingPathComponent("\(item.name).mkv")
            try ColourTagFixtures.movie(url, tags: item.tags)
            let (source, logged) = try ColourTagFixtures.capturingStandardError { try self.open(url) }
            XCTAssertEqual(source.colorSpace.name, item.space, item.name)
            XCTAssertTrue(source.colorChoice.rule.contains(item.rule), "\(item.name): \(source.colorChoice.rule)")
            XCTAssertFalse(source.colorChoice.declared)
            XCTAssertTrue(logged.contains("plateswap: \(url.path): colour space '\(item.space)' (\(source.colorChoice.rule))"), logged)
        }

        // A BT.2020 movie's pixels are its code values, and the network sees them as a BT.1886
        // display shows them (gamma 2.4, Rec.2020 primaries) converted to Rec.709 and sRGB-encoded.
        let source = try open(dir.appendingPathComponent("bt2020.mkv"))
        let frame = try source.read(frame: 1)
        var worst = 0.0
        for i in 0..<(ColourTagFixtures.size.width * ColourTagFixtures.size.height) {
            let codes = (0..<3).map { Float(ColourTagFixtures.code(i, $0, frame: 1)) / 255 }
            XCTAssertEqual((0..<3).map { frame.image.planes[$0][i] }, codes, "pixel \(i) is not its code value / 255")
            let seen = source.encoding.encode(SIMD3(codes[0], codes[1], codes[2]))
            let wanted = Self.network(SIMD3(codes.map { pow(Double($0), 2.4) }), primaries: .rec2020)
            worst = max(worst, abs(Double(seen.x) - wanted.x), abs(Double(seen.y) - wanted.y), abs(Double(seen.z) - wanted.z))
        }
        XCTAssertLessThan(worst, 1e-3, "network RGB of the BT.2020 movie")

        // extract's reader follows the same rules.
        let extract = try FaceImageSource(path: dir.appendingPathComponent("p3d65.mkv").path, names: try names(), frames: nil)
        XCTAssertEqual(try extract.load(extract.items[0]).encoding.plate.name, "P3-D65 - Display")
    }

    func testMovieTagsWithoutAUsableSpaceAreTypedErrors() throws {
        let bt2020 = dir.appendingPathComponent("bt2020.mkv")
        try ColourTagFixtures.movie(bt2020, tags: ["-color_primaries", "bt2020", "-color_trc", "bt709", "-colorspace", "bt2020nc"])
        // No OCIO config: only the built-in spaces, and BT.2020 is none of them.
        XCTAssertThrowsError(try open(bt2020, config: nil)) { error in
            guard let error = error as? PlateColorTagError else { return XCTFail("\(error)") }
            XCTAssertEqual(ExitStatus.of(error), 2)
            XCTAssertEqual(error.description, "\(bt2020.path): the movie's colour tags (color_primaries bt2020, color_trc bt709) mean the colour space "
                           + "'Rec.1886 Rec.2020 - Display', which needs an OCIO config (set colour.config or $OCIO); declare plate.colorspace with the space its pixels are in")
        }
        // A config without a Rec.2020 display space, through a shot: exit 2 naming the config.
        let yaml = dir.appendingPathComponent("shot.yaml")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        func shot(_ plate: String) throws -> ShotConfig {
            try """
                shot: TAGS
                plate: \(plate)
                output: {path: out/swap.####.exr}
                model: {path: model.plateswap}
                colour: {config: \(Self.cg.path)}
                """.write(to: yaml, atomically: true, encoding: .utf8)
            return try ShotConfig.load(yaml)
        }
        XCTAssertThrowsError(try PlateSequence(try shot("{path: bt2020.mkv}"))) { error in
            guard case let PipelineError.configuration(text)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertEqual(ExitStatus.of(error), 2)
            XCTAssertTrue(text.contains(bt2020.path) && text.contains("color_primaries bt2020") && text.contains("'Rec.1886 Rec.2020 - Display'")
                          && text.contains("which the OCIO config \(Self.cg.path) does not have"), text)
        }
        // A declared space always wins (here with a warning: the tags say other primaries).
        let (declared, logged) = try ColourTagFixtures.capturingStandardError { try PlateSequence(try shot("{path: bt2020.mkv, colorspace: srgb}")) }
        XCTAssertEqual(declared.colorSpace.builtIn, .srgb)
        XCTAssertTrue(logged.contains("warning: \(bt2020.path): plate.colorspace is 'sRGB - Texture' but the movie's colour tags (color_primaries bt2020, color_trc bt709) say Rec.2020 primaries; going on with the declared space"), logged)

        // Tags plateswap has no rule for.
        let pqRec709 = dir.appendingPathComponent("pq709.mkv")
        try ColourTagFixtures.movie(pqRec709, tags: ["-color_primaries", "bt709", "-color_trc", "smpte2084"])
        XCTAssertThrowsError(try open(pqRec709)) { error in
            XCTAssertEqual("\(error)", "\(pqRec709.path): plateswap has no default colour space for the movie's colour tags (color_primaries bt709, color_trc smpte2084); declare plate.colorspace with the space its pixels are in")
        }
    }

    func testPNGChunksChooseTheDefaultSpace() throws {
        let weird = Chromaticities(red: [0.7, 0.3], green: [0.2, 0.7], blue: [0.1, 0.1], white: Chromaticities.d65White)
        let cases: [(name: String, chunks: [(String, [UInt8])], space: String?, rule: String)] = [
            ("plain", [], "sRGB - Texture", "untagged PNG"),
            // The sRGB chunk wins over the others (PNG spec 11.3.3.5).
            ("srgb", [ColourTagFixtures.sRGB, ColourTagFixtures.gAMA(1), ColourTagFixtures.cHRM(.rec2020)], "sRGB - Texture", "PNG sRGB chunk"),
            ("gamma22", [ColourTagFixtures.gAMA(1 / 2.2)], "sRGB - Texture", "PNG gAMA 0.45455"),
            ("linear", [ColourTagFixtures.gAMA(1)], "Linear Rec.709 (sRGB)", "PNG gAMA 1.00000"),
            ("linear709", [ColourTagFixtures.gAMA(1), ColourTagFixtures.cHRM(.rec709)], "Linear Rec.709 (sRGB)", "cHRM Rec.709 primaries"),
            ("ap1", [ColourTagFixtures.gAMA(1), ColourTagFixtures.cHRM(.acesAP1)], "ACEScg", "PNG gAMA 1.00000, cHRM ACES AP1 primaries"),
            ("lin2020", [ColourTagFixtures.gAMA(1), ColourTagFixtures.cHRM(.rec2020)], "Linear Rec.2020", "cHRM Rec.2020 primaries"),
            ("g24_2020", [ColourTagFixtures.gAMA(1 / 2.4), ColourTagFixtures.cHRM(.rec2020)], "Rec.1886 Rec.2020 - Display", "gAMA 0.41667"),
            ("p3", [ColourTagFixtures.gAMA(1 / 2.6), ColourTagFixtures.cHRM(.p3D65)], "P3-D65 - Display", "cHRM P3-D65 primaries"),
            ("g18", [ColourTagFixtures.gAMA(1 / 1.8)], "Gamma 1.8 Rec.709 - Texture", "gAMA 0.55556"),
            ("iccsrgb", [ColourTagFixtures.iCCP("sRGB IEC61966-2.1")], "sRGB - Texture", "PNG iCCP profile 'sRGB IEC61966-2.1'"),
            ("weird", [ColourTagFixtures.gAMA(1), ColourTagFixtures.cHRM(weird)], nil,
             "plateswap has no default colour space for the PNG's colour tags (gAMA 1.00000, cHRM primaries R(0.7000, 0.3000) G(0.2000, 0.7000) B(0.1000, 0.1000) white(0.3127, 0.3290))"),
        ]
        for item in cases {
            let url = dir.appendingPathComponent("\(item.name)/plate.1001.png")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try ColourTagFixtures.png(url, chunks: item.chunks)
            let pattern = dir.appendingPathComponent("\(item.name)/plate.####.png")
            guard let space = item.space else {
                XCTAssertThrowsError(try open(pattern), item.name) { error in
                    XCTAssertTrue("\(error)".hasPrefix(url.path) && "\(error)".contains(item.rule), "\(error)")
                    XCTAssertEqual(ExitStatus.of(error), 2)
                }
                continue
            }
            let source = try open(pattern)
            XCTAssertEqual(source.colorSpace.name, space, item.name)
            XCTAssertTrue(source.colorChoice.rule.contains(item.rule), "\(item.name): \(source.colorChoice.rule)")
            // A single image (detect, a folder of photos) is read by the same rules.
            XCTAssertEqual(try FrameSource.readStill(url, options: source.options).colorSpace.name, space, item.name)
        }

        // The AP1 PNG: pixels are the 16-bit code values; the network sees ACEScg as OCIO converts it.
        let source = try open(dir.appendingPathComponent("ap1/plate.####.png"))
        XCTAssertEqual(source.colorSpace.builtIn, .acescg)
        let frame = try source.read(frame: 1001)
        let toRec709 = try OCIOConfig.load(Self.studio.path).processor(from: "ACEScg", to: "Linear Rec.709 (sRGB)")
        var worst: Float = 0
        for i in 0..<(ColourTagFixtures.size.width * ColourTagFixtures.size.height) {
            let codes = (0..<3).map { Float(ColourTagFixtures.pngCode(i, $0)) / 65535 }
            XCTAssertEqual((0..<3).map { frame.image.planes[$0][i] }, codes, "pixel \(i)")
            let rgb = SIMD3(codes[0], codes[1], codes[2])
            let linear = toRec709.apply(rgb).clamped(lowerBound: .zero, upperBound: SIMD3(repeating: 1))
            let wanted = SIMD3(SRGB.encode(linear.x), SRGB.encode(linear.y), SRGB.encode(linear.z))
            let d = source.encoding.encode(rgb) - wanted
            worst = max(worst, abs(d.x), abs(d.y), abs(d.z))
        }
        XCTAssertLessThan(worst, 5e-4, "network RGB of the ACEScg PNG against OCIO")

        // An ICC profile plateswap does not read: the other chunks (here none) decide, with a warning.
        let p3 = dir.appendingPathComponent("iccp3/plate.1001.png")
        try FileManager.default.createDirectory(at: p3.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ColourTagFixtures.png(p3, chunks: [ColourTagFixtures.iCCP("Display P3")])
        let (iccp, logged) = try ColourTagFixtures.capturingStandardError { try self.open(dir.appendingPathComponent("iccp3/plate.####.png")) }
        XCTAssertEqual(iccp.colorSpace.builtIn, .srgb)
        XCTAssertTrue(logged.contains("warning: \(p3.path): its ICC profile 'Display P3' (iCCP chunk) is not read: the pixels are taken as 'sRGB - Texture' (PNG iCCP profile 'Display P3' (not read)); declare plate.colorspace if the profile says otherwise"), logged)
    }

    /// A declared space always wins; where it contradicts a movie's or PNG's tags a warning names both.
    func testDeclaredSpaceWinsAndContradictionsAreNamed() throws {
        let movie = dir.appendingPathComponent("bt709.mkv")
        try ColourTagFixtures.movie(movie, tags: ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"])
        let (acescg, warned) = try ColourTagFixtures.capturingStandardError { try self.open(movie, declared: "ACEScg") }
        XCTAssertEqual(acescg.colorSpace.builtIn, .acescg)
        XCTAssertEqual(acescg.colorChoice.rule, "declared plate.colorspace")
        XCTAssertTrue(warned.contains("warning: \(movie.path): plate.colorspace is 'ACEScg' but the movie's colour tags (color_primaries bt709, color_trc bt709) "
                                      + "say Rec.709 primaries and an encoded (not linear) transfer; they mean 'sRGB - Texture'; going on with the declared space"), warned)
        // Log footage in a Rec.709-tagged container (common from cameras): nothing to contradict.
        let (logc, quiet) = try ColourTagFixtures.capturingStandardError { try self.open(movie, declared: "ARRI LogC3 (EI800)") }
        XCTAssertEqual(logc.colorSpace.name, "ARRI LogC3 (EI800)")
        XCTAssertFalse(quiet.contains("warning"), quiet)

        let png = dir.appendingPathComponent("lin/plate.1001.png")
        try FileManager.default.createDirectory(at: png.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ColourTagFixtures.png(png, chunks: [ColourTagFixtures.gAMA(1), ColourTagFixtures.cHRM(.rec709)])
        let (srgb, linearWarning) = try ColourTagFixtures.capturingStandardError {
            try self.open(self.dir.appendingPathComponent("lin/plate.####.png"), declared: "srgb")
        }
        XCTAssertEqual(srgb.colorSpace.builtIn, .srgb)
        XCTAssertTrue(linearWarning.contains("plate.colorspace is 'sRGB - Texture' but the PNG's colour tags (gAMA 1.00000, cHRM Rec.709 primaries) say linear light; they mean 'Linear Rec.709 (sRGB)'"), linearWarning)
    }
}
