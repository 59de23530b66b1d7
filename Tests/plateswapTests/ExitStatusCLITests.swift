import Foundation
import XCTest

/// Issue 17: every command's errors leave through one catch: one line on stderr starting
/// `plateswap: error: ` and the error's status; usage errors (enum options included) exit 64.
final class ExitStatusCLITests: XCTestCase {
    func testErrorsAreOneLineWithTheirStatus() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.yaml").path
        let garbage = dir.appendingPathComponent("notes.exr")
        try Data("hello".utf8).write(to: garbage)
        _ = try CLI.sharedFile("models")
        let cases: [(arguments: [String], status: Int32, names: String)] = [
            (["run", missing], 2, missing),
            ([missing], 2, missing),
            (["track", missing], 2, missing),
            (["farm", missing, "--chunk", "2"], 2, missing),
            (["preview", missing], 2, missing),
            (["quality", missing], 2, missing),
            (["train", missing], 2, missing),
            (["extract", dir.appendingPathComponent("plate.####.exr").path, "--out", dir.appendingPathComponent("set").path], 2, "plate.####.exr"),
            (["detect", garbage.path], 1, garbage.path),
            (["info", garbage.path], 1, garbage.path),
        ]
        for c in cases {
            let result = try CLI.run(c.arguments)
            XCTAssertEqual(result.status, c.status, "\(c.arguments): \(result.err)")
            let lines = result.err.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(c.arguments): \(result.err)")
            XCTAssertTrue(lines.first?.hasPrefix("plateswap: error: ") == true, "\(c.arguments): \(result.err)")
            XCTAssertTrue(result.err.contains(c.names), "\(c.arguments): \(result.err)")
        }
    }

    func testUsageErrorsAndBadEnumValuesExit64ListingTheValues() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = dir.appendingPathComponent("shot.yaml").path
        let cases: [(arguments: [String], names: String)] = [
            (["farm", shot, "--chunk", "2", "--chunking", "bogus"], "task-chunking"),
            (["extract", dir.path, "--out", dir.appendingPathComponent("set").path, "--face-type", "bogus"], "whole_face"),
            (["extract", dir.path, "--out", dir.appendingPathComponent("set").path, "--colorspace", "bogus"], "aces2065_1"),
            (["detect", "face.png", "--colorspace", "bogus"], "linear_rec709"),
            (["contact-sheet", dir.path, "--frames", "1", "-o", "s.png", "--colorspace", "rec709"], "acescg"),
            (["codec", "encode", "a.png", "a.safetensors", "--codec", "bogus"], "taef2"),
            (["run", shot, "--no-such-option"], "--no-such-option"),
            (["farm", shot, "--chunk", "two"], "--chunk"),
            (["train", shot, "--iterations", "0"], "--iterations"),
        ]
        for c in cases {
            let result = try CLI.run(c.arguments)
            XCTAssertEqual(result.status, 64, "\(c.arguments): \(result.err)")
            XCTAssertTrue(result.err.contains(c.names), "\(c.arguments): \(result.err)")
            XCTAssertTrue(result.err.contains("Usage:"), "\(c.arguments): \(result.err)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("set").path), "nothing written")
    }
}
