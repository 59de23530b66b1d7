import Foundation
import XCTest

/// `plateswap info` as a user runs it: the documented JSON on stdout, one stderr line on failure.
final class InfoCLITests: XCTestCase {
    func testExrJsonTextAndStats() throws {
        let file = try CLI.sharedFile("data/exr/Cannon_multipart_scanline_tiled_uint.exr")
        let result = try CLI.run(["info", file.path, "--json"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out.split(separator: "\n").count, 1, "one line of JSON")
        let report = try CLI.json(result.out)
        XCTAssertEqual(report["format"] as? String, "exr")
        XCTAssertEqual(report["file"] as? String, file.path)
        let parts = try XCTUnwrap(report["parts"] as? [[String: Any]])
        XCTAssertEqual(parts.compactMap { $0["name"] as? String }, ["beauty", "depth", "id"])
        XCTAssertEqual(parts[1]["dataWindow"] as? [Int], [30, 40, 249, 199])
        XCTAssertEqual(parts[1]["tiled"] as? Bool, true)
        let idChannels = try XCTUnwrap(parts[2]["channels"] as? [[String: Any]])
        XCTAssertEqual(idChannels.first?["type"] as? String, "uint")
        for key in ["dataWindow", "displayWindow", "channels", "compression", "tiled", "attributes"] {
            XCTAssertNotNil(parts[0][key], "part key \(key)")
        }

        let text = try CLI.run(["info", file.path])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("depth"), text.out)

        let stats = try CLI.run(["info", try CLI.sharedFile("data/exr/Cannon_piz.exr").path, "--json", "--stats"])
        XCTAssertEqual(stats.status, 0, stats.err)
        let channels = try XCTUnwrap((try CLI.json(stats.out)["parts"] as? [[String: Any]])?.first?["channels"] as? [[String: Any]])
        for channel in channels {
            for key in ["min", "max", "mean", "nan", "inf"] { XCTAssertNotNil(channel[key], "\(channel["name"] ?? "?") \(key)") }
        }
    }

    func testMovieReport() throws {
        let movie = try CLI.sharedFile("data/plates/s18_prores422hq.mov")
        let result = try CLI.run(["info", movie.path, "--json"])
        XCTAssertEqual(result.status, 0, result.err)
        let report = try CLI.json(result.out)
        XCTAssertEqual(report["format"] as? String, "movie")
        XCTAssertEqual(report["codec"] as? String, "prores")
        XCTAssertEqual(report["width"] as? Int, 1280)
        XCTAssertEqual(report["frameCount"] as? Int, 24)
        XCTAssertEqual(report["frameRate"] as? Double, 30)
    }

    func testUnreadableFilesExitOneWithOneLine() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.exr")
        try Data("hello".utf8).write(to: text)
        let deep = try CLI.sharedFile("data/exr/Balls_deeptiled_crop.exr")
        let truncated = try CLI.sharedFile("data/exr/CannonHalf_piz_truncated_half.exr")
        for (file, reason) in [(text, "not an OpenEXR file"), (deep, "deep"), (truncated, "damaged pixel data"),
                               (dir.appendingPathComponent("absent.exr"), "no such file")] {
            let result = try CLI.run(["info", file.path, "--json"])
            XCTAssertEqual(result.status, 1, "\(file.lastPathComponent): \(result.out)")
            XCTAssertEqual(result.out, "", "nothing on stdout")
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
            XCTAssertTrue(result.err.contains(file.path) && result.err.contains(reason), result.err)
        }
    }
}
