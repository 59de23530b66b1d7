import Foundation
import XCTest

/// Colour-space names on the command line, through the built binary: OCIO names and aliases in
/// any case, close matches for unknown ones (a usage error, 64), the space `info` reads a file in.
final class ColourCLITests: XCTestCase {
    func testInfoNamesTheSpaceAndChecksDeclaredNames() throws {
        let config = try CLI.sharedFile("ocio/studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
        let env = ["OCIO": config.path]
        let plate = try CLI.sharedFile("data/plates/s18_piz/plate.1001.exr")
        let plain = try CLI.run(["info", plate.path], environment: env)
        XCTAssertEqual(plain.status, 0, plain.err)
        XCTAssertTrue(plain.out.contains("colour space: Linear Rec.709 (sRGB) (from the file's tags"), plain.out)

        let movie = try CLI.run(["info", try CLI.sharedFile("data/plates/s18_prores422hq.mov").path], environment: env)
        XCTAssertTrue(movie.out.contains("colour space: sRGB - Texture (from the file's tags"), movie.out)

        let alias = try CLI.run(["info", plate.path, "--colorspace", "utility - linear - srgb"], environment: env)
        XCTAssertEqual(alias.status, 0, alias.err)
        XCTAssertTrue(alias.out.contains("colour space: Linear Rec.709 (sRGB) (declared; built-in linear_rec709)"), alias.out)

        let unknown = try CLI.run(["info", plate.path, "--colorspace", "ARRI LogC3"], environment: env)
        XCTAssertEqual(unknown.status, 64, "a name the config does not know is a bad option value")
        XCTAssertTrue(unknown.err.contains("unknown colour space 'ARRI LogC3'") && unknown.err.contains("'ARRI LogC3 (EI800)'"), unknown.err)

        let mismatch = try CLI.run(["info", plate.path, "--colorspace", "ACES - ACEScg"], environment: env)
        XCTAssertEqual(mismatch.status, 2)
        XCTAssertTrue(mismatch.err.contains("'ACEScg'") && mismatch.err.contains("Rec.709/sRGB primaries"), mismatch.err)

        let log = try CLI.run(["info", plate.path, "--colorspace", "arri logc3 (ei800)"], environment: env)
        XCTAssertEqual(log.status, 0, log.err)
        XCTAssertTrue(log.out.contains("colour space: ARRI LogC3 (EI800) (declared; OCIO config \(config.path))"), log.out)

        // A bad $OCIO is an error, not a silent fall-back to another config.
        let badEnv = try CLI.run(["info", plate.path], environment: ["OCIO": "/nonexistent/config.ocio"])
        XCTAssertEqual(badEnv.status, 2)
        XCTAssertTrue(badEnv.err.contains("/nonexistent/config.ocio"), badEnv.err)
    }

    /// A BT.2020 movie made here: `info` names the space its tags choose and the rule that chose
    /// it; with a config that has no Rec.2020 display space `info` says why and `extract` stops
    /// with exit 2 naming the file and the tags; `--colorspace` wins, with a warning naming both.
    func testMovieTagsChooseTheSpaceThroughTheBinary() throws {
        let studio = try CLI.sharedFile("ocio/studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
        let cg = try CLI.sharedFile("ocio/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("frames.rgb"), movie = dir.appendingPathComponent("bt2020.mkv")
        try Data((0..<(16 * 8 * 3 * 2)).map { UInt8($0 % 251) }).write(to: raw)
        let made = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                               ["ffmpeg", "-nostdin", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "16x8", "-r", "24", "-i", raw.path,
                                "-c:v", "ffv1", "-color_primaries", "bt2020", "-color_trc", "bt709", "-colorspace", "bt2020nc", movie.path])
        XCTAssertEqual(made.status, 0, made.err)

        let info = try CLI.run(["info", movie.path], environment: ["OCIO": studio.path])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.contains("colour space: Rec.1886 Rec.2020 - Display (from the file's tags: movie color_primaries bt2020, color_trc bt709; "
                                        + "declare plate.colorspace to change it; OCIO config \(studio.path))"), info.out)

        let lacking = try CLI.run(["info", movie.path], environment: ["OCIO": cg.path])
        XCTAssertEqual(lacking.status, 0, lacking.err)
        XCTAssertTrue(lacking.out.contains("colour space: none from the file's tags (\(movie.path): the movie's colour tags (color_primaries bt2020, "
                                           + "color_trc bt709) mean the colour space 'Rec.1886 Rec.2020 - Display', which the OCIO config \(cg.path) does not have"), lacking.out)
        let extract = try CLI.run(["extract", movie.path, "--out", dir.appendingPathComponent("set").path], environment: ["OCIO": cg.path])
        XCTAssertEqual(extract.status, 2, extract.err)
        XCTAssertTrue(extract.err.contains("\(movie.path): the movie's colour tags (color_primaries bt2020, color_trc bt709)")
                      && extract.err.contains("declare --colorspace"), extract.err)

        let declared = try CLI.run(["info", movie.path, "--colorspace", "srgb"], environment: ["OCIO": studio.path])
        XCTAssertEqual(declared.status, 0, declared.err)
        XCTAssertTrue(declared.out.contains("colour space: sRGB - Texture (declared; built-in srgb)"), declared.out)
        XCTAssertTrue(declared.err.contains("warning: \(movie.path): --colorspace is 'sRGB - Texture' but the movie's colour tags (color_primaries bt2020, "
                                            + "color_trc bt709) say Rec.2020 primaries; they mean 'Rec.1886 Rec.2020 - Display'"), declared.err)
    }

    func testExtractAndDetectRefuseUnknownNames() throws {
        let plate = try CLI.sharedFile("data/plates/s18_piz/plate.1001.exr")
        let out = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let extract = try CLI.run(["extract", plate.path, "--out", out.appendingPathComponent("set").path, "--colorspace", "acescgg"])
        XCTAssertEqual(extract.status, 64)
        XCTAssertTrue(extract.err.contains("--colorspace") && extract.err.contains("unknown colour space 'acescgg'") && extract.err.contains("'ACEScg'"), extract.err)
        let detect = try CLI.run(["detect", plate.path, "--colorspace", "S-Log3"])
        XCTAssertEqual(detect.status, 64)
        XCTAssertTrue(detect.err.contains("'S-Log3 S-Gamut3'"), detect.err)
    }
}
