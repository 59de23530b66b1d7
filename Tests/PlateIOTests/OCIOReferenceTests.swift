import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// plateswap's OpenColorIO binding and its colour math against an independent reference:
/// `oiiotool --colorconfig CONFIG --colorconvert FROM TO` (OpenImageIO on the same config file).
final class OCIOReferenceTests: XCTestCase {
    static var studioConfig: URL { ExrTestData.shared.appendingPathComponent("ocio/studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio") }
    var dir: URL!

    override func setUpWithError() throws { dir = try ExrTestData.temporaryFolder("ocio") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// 3 x 256 test pixels: negatives, shadows, mid-tones, values above 1 (scene-linear highlights),
    /// with the channels out of step so every matrix row is exercised.
    static func ramp() -> ImageBuffer {
        var image = ImageBuffer(width: 64, height: 4, channels: ["R", "G", "B"])
        for i in 0..<image.pixelCount {
            let t = Float(i) / Float(image.pixelCount - 1)
            image.planes[0][i] = -0.05 + 8 * t * t
            image.planes[1][i] = 0.01 + 2 * t
            image.planes[2][i] = 0.5 * (1 - t) + 0.001
        }
        return image
    }

    /// oiiotool's conversion of `image` (written as a float EXR) from `source` to `target`.
    func oiiotool(_ image: ImageBuffer, from source: String, to target: String) throws -> ImageBuffer {
        let input = dir.appendingPathComponent("in.exr"), output = dir.appendingPathComponent("out.exr")
        try ExrWriter.write(image, to: input, compression: ExrCompression.none, pixelType: .float)
        let result = try ExrTestData.run("oiiotool", ["--colorconfig", Self.studioConfig.path, input.path,
                                                      "--colorconvert", source, target, "-d", "float", "-o", output.path])
        XCTAssertEqual(result.status, 0, result.err)
        return try ExrImage.read(output).image.selecting(["R", "G", "B"])
    }

    func assertClose(_ a: ImageBuffer, _ b: ImageBuffer, relative: Float, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        var worst: Float = 0
        for c in 0..<3 {
            for (x, y) in zip(a.planes[c], b.planes[c]) { worst = max(worst, abs(x - y) / max(1, abs(y))) }
        }
        XCTAssertLessThanOrEqual(worst, relative, "\(label): worst relative difference \(worst)", file: file, line: line)
    }

    func testConfigNamesResolveCaseInsensitivelyWithAliases() throws {
        let names = ColorSpaceNames(config: try OCIOConfig.load(Self.studioConfig.path))
        for spelling in ["ACEScg", "ACES - ACEScg", "acescg", "lin_ap1", " aces - acescg "] {
            let space = try names.resolve(spelling)
            XCTAssertEqual(space.builtIn, .acescg, spelling)
            XCTAssertEqual(space.name, "ACEScg", spelling)
        }
        XCTAssertEqual(try names.resolve("linear_rec709").name, "Linear Rec.709 (sRGB)")
        XCTAssertEqual(try names.resolve("Utility - Linear - sRGB").builtIn, .linearRec709)
        XCTAssertEqual(try names.resolve("SRGB").name, "sRGB - Texture")
        XCTAssertEqual(try names.resolve("aces2065_1").name, "ACES2065-1")
        let logC = try names.resolve("arri logc3 (ei800)")
        XCTAssertEqual(logC.name, "ARRI LogC3 (EI800)")
        XCTAssertNil(logC.builtIn)
        XCTAssertEqual(try names.resolve("Input - ARRI - V3 LogC (EI800) - Wide Gamut"), logC)
        XCTAssertEqual(try names.resolve("acescct").name, "ACEScct")
        // An unknown name lists the close ones.
        XCTAssertThrowsError(try names.resolve("ARRI LogC3")) { error in
            guard case let ColorError.unknownName(name, suggestions, config)? = error as? ColorError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "ARRI LogC3")
            XCTAssertTrue(suggestions.contains("ARRI LogC3 (EI800)"), "\(suggestions)")
            XCTAssertEqual(config, Self.studioConfig.standardizedFileURL.path)
            XCTAssertTrue("\(error)".contains("close matches: 'ARRI LogC3 (EI800)'"), "\(error)")
        }
        XCTAssertThrowsError(try names.resolve("acescgg")) { error in
            XCTAssertTrue("\(error)".contains("'ACEScg'"), "\(error)")
        }
    }

    func testBuiltInNamesWorkWithoutAConfig() throws {
        let names = ColorSpaceNames(config: nil)
        XCTAssertEqual(try names.resolve("ACEScg").builtIn, .acescg)
        XCTAssertEqual(try names.resolve("ACES - ACEScg").builtIn, .acescg)
        XCTAssertEqual(try names.resolve("Linear_Rec709").builtIn, .linearRec709)
        XCTAssertEqual(try names.resolve("sRGB - Texture").builtIn, .srgb)
        XCTAssertThrowsError(try names.resolve("ARRI LogC3 (EI800)")) { error in
            XCTAssertTrue("\(error)".contains("no OCIO config"), "\(error)")
        }
    }

    func testConfigSearchOrder() throws {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        // Explicit beats $OCIO beats ../shared/ocio.
        XCTAssertEqual(try ColorConfigSearch.locate(explicit: "/x.ocio", environment: ["OCIO": Self.studioConfig.path]), "/x.ocio")
        XCTAssertEqual(try ColorConfigSearch.locate(environment: ["OCIO": Self.studioConfig.path]), Self.studioConfig.standardizedFileURL.path)
        XCTAssertThrowsError(try ColorConfigSearch.locate(environment: ["OCIO": "/nonexistent.ocio"])) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent.ocio") && "\(error)".contains("$OCIO"), "\(error)")
        }
        let fallback = try ColorConfigSearch.locate(environment: [:], currentDirectory: here)
        XCTAssertEqual(fallback.map { URL(fileURLWithPath: $0).lastPathComponent }, "studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
        XCTAssertNil(try ColorConfigSearch.locate(environment: [:], currentDirectory: URL(fileURLWithPath: "/")))
        XCTAssertThrowsError(try OCIOConfig.load("/nonexistent.ocio"))
        let broken = dir.appendingPathComponent("broken.ocio")
        try "ocio_profile_version: 2\nthis is: [not a config".write(to: broken, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try OCIOConfig.load(broken.path)) { error in
            XCTAssertTrue("\(error)".contains(broken.lastPathComponent), "\(error)")
        }
    }

    func testOCIOConversionsMatchOiiotool() throws {
        let config = try OCIOConfig.load(Self.studioConfig.path)
        let ramp = Self.ramp()
        for (source, target) in [("Linear Rec.709 (sRGB)", "ARRI LogC3 (EI800)"), ("ACEScg", "ACEScct"),
                                 ("Linear Rec.709 (sRGB)", "S-Log3 S-Gamut3"), ("ACES2065-1", "sRGB - Texture")] {
            var ours = ramp
            try config.processor(from: source, to: target).apply(to: &ours)
            assertClose(ours, try oiiotool(ramp, from: source, to: target), relative: 1e-5, "\(source) -> \(target)")
        }
    }

    /// The built-in matrices (Bradford between D65 and the ACES white) agree with the config's own
    /// transforms, so a built-in name and its OCIO name mean the same pixels.
    func testBuiltInMathAgreesWithTheConfig() throws {
        let ramp = Self.ramp()
        for (source, target) in [(ColorSpace.linearRec709, ColorSpace.acescg), (.acescg, .aces2065_1), (.linearRec709, .aces2065_1)] {
            var ours = ramp
            ours.convertColor(from: source, to: target)
            assertClose(ours, try oiiotool(ramp, from: source.ocioName, to: target.ocioName), relative: 2e-4, "\(source) -> \(target)")
        }
    }

    /// A LogC3 plate's network encoding is OCIO's LogC3 -> sRGB - Texture (clamped), and decodes back.
    func testNetworkEncodingOfALogPlateMatchesOiiotool() throws {
        let names = ColorSpaceNames(config: try OCIOConfig.load(Self.studioConfig.path))
        let logC = try names.resolve("ARRI LogC3 (EI800)")
        let encoding = try NetworkEncoding(plate: logC)
        XCTAssertTrue(encoding.usesOCIO)
        var linear = Self.ramp()
        for c in 0..<3 { linear.planes[c] = linear.planes[c].map { min(max($0, 0), 1) } }   // what the codec can represent
        let plate = try oiiotool(linear, from: "Linear Rec.709 (sRGB)", to: "ARRI LogC3 (EI800)")
        let reference = try oiiotool(plate, from: "ARRI LogC3 (EI800)", to: "sRGB - Texture")
        let encoded = encoding.encode(plate)
        var worst: Float = 0
        for c in 0..<3 {
            for (x, y) in zip(encoded.planes[c], reference.planes[c]) { worst = max(worst, abs(x - min(max(y, 0), 1))) }
        }
        XCTAssertLessThan(worst, 2e-4, "network RGB of a LogC3 plate vs oiiotool LogC3 -> sRGB - Texture")
        // Per pixel and per image agree, and the inverse takes network RGB back to the plate.
        XCTAssertEqual(encoding.encode(SIMD3(plate.planes[0][77], plate.planes[1][77], plate.planes[2][77])).x, encoded.planes[0][77], accuracy: 1e-6)
        assertClose(encoding.decode(encoded), plate, relative: 1e-4, "decode(encode(LogC3 plate))")
    }
}
