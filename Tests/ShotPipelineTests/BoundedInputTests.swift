import Foundation
import XCTest
@testable import ShotPipeline

/// Hostile YAML (issue 16, item 4): nesting and alias bombs, oversized files, lists and names are
/// refused with a `ConfigError` naming the file and line, exit 2, before Yams builds a tree: no
/// crash, no gigabytes.
final class BoundedInputTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("bounds")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    /// The error `text` gives as a shot.yaml, or nil when it parses.
    func error(_ text: String) -> ConfigError? {
        do {
            _ = try ConfigDocument(text: text, displayName: "shot.yaml", baseDirectory: dir)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    /// billion laughs: each level a list of nine aliases of the level below.
    static func aliasBomb(levels: Int = 9) -> String {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in 1...levels { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]") }
        return (lines + ["shot: *a\(levels)"]).joined(separator: "\n")
    }

    func testNestingIsLimitedWhateverItsSpelling() throws {
        for (spelling, text) in [("flow lists", "shot: " + String(repeating: "[", count: 5000)),
                                 ("flow mappings", "shot: " + String(repeating: "{a: ", count: 5000)),
                                 ("compact block lists", "shot:\n" + String(repeating: "- ", count: 5000) + "x"),
                                 ("indented mappings", (0..<70).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x")] {
            let found = try XCTUnwrap(error(text), spelling)
            XCTAssertTrue(found.message.contains("nested deeper than 64 levels"), "\(spelling): \(found)")
            XCTAssertGreaterThan(found.line, 0, spelling)
        }
        // 64 levels are fine (the parser does not fail on depth it allows).
        XCTAssertNil(error("k: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63)))
    }

    func testAliasesAreCountedAsTheCopiesTheyMake() throws {
        let bomb = try XCTUnwrap(error(Self.aliasBomb()))
        XCTAssertTrue(bomb.message.contains("expands the document to more than 200000 values"), "\(bomb)")
        XCTAssertGreaterThan(bomb.line, 1)
        // Anchors and aliases as people use them stay allowed.
        XCTAssertNil(error("a: &s {min_cutoff: 1.0, beta: 0.05}\nb: *s\nc: [*s, *s]"))
        // Nesting through aliases counts too.
        let deep = "a: &d " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\nb: " + String(repeating: "[", count: 30) + "*d" + String(repeating: "]", count: 30)
        XCTAssertTrue(try XCTUnwrap(error(deep)).message.contains("nests deeper than 64"))
    }

    func testListsValuesAndFilesAreBounded() throws {
        let list = try XCTUnwrap(error("frames: [" + Array(repeating: "1", count: 100_001).joined(separator: ",") + "]"))
        XCTAssertTrue(list.message.contains("a list of more than 100000 items"), "\(list)")
        XCTAssertEqual(list.line, 1)
        XCTAssertNil(error("frames: [" + Array(repeating: "1", count: 100_000).joined(separator: ",") + "]"))
        let long = try XCTUnwrap(error("shot: " + String(repeating: "x", count: 5000)))
        XCTAssertTrue(long.message.contains("a value of 5000 bytes"), "\(long)")
        let big = try XCTUnwrap(error("# " + String(repeating: "x", count: 1 << 20)))
        XCTAssertTrue(big.message.contains("larger than 1048576 bytes"), "\(big)")
    }

    // MARK: Through the binary

    func writeShot(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Runs `plateswap args`: it must exit 2 (not crash) with one error line naming `expected`.
    func assertRefused(_ args: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try PlateswapProcess.run(args, in: dir)
        XCTAssertEqual(result.status, 2, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(expected), "expected '\(expected)' in:\n\(result.stderr.prefix(2000))", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line:\n\(result.stderr.prefix(2000))", file: file, line: line)
        XCTAssertLessThan(result.stderr.count, 1000, "the message does not echo the input", file: file, line: line)
    }

    let shotBody = "plate: {path: plates/plate.####.exr}\noutput: {path: out/swap.####.exr}\nmodel: {path: model.plateswap}\n"

    func testBombsAndOversizedShotsExitTwoThroughTheBinary() throws {
        try writeShot("nest.yaml", "shot: " + String(repeating: "[", count: 5000) + "\n")
        try assertRefused(["run", "nest.yaml", "--identity-swap"], "nest.yaml:1: nested deeper than 64 levels")
        try writeShot("alias.yaml", Self.aliasBomb() + "\n")
        try assertRefused(["run", "alias.yaml", "--identity-swap"], "alias.yaml:6: alias *a4 expands the document to more than 200000 values")
        try assertRefused(["track", "alias.yaml"], "alias.yaml:6:")

        // 10 million frames: refused by its size, before it is read (the issue measured 3.2 GB).
        let frames = "shot: HUGE\n" + shotBody.replacingOccurrences(of: "plate.####.exr}", with: "plate.####.exr, frames: ["
            + Array(repeating: "1001", count: 10_000_000).joined(separator: ",") + "]}")
        try writeShot("frames.yaml", frames)
        try assertRefused(["run", "frames.yaml", "--identity-swap"], "frames.yaml: larger than 1048576 bytes")
        try writeShot("range.yaml", "shot: R\n" + shotBody.replacingOccurrences(of: "plate.####.exr}", with: "plate.####.exr, frames: 1-999999999}"))
        try assertRefused(["run", "range.yaml", "--identity-swap"], "range.yaml:2: plate.frames: frame range '1-999999999', item 1: range more than 1000000 frames")
        try writeShot("name.yaml", "shot: " + String(repeating: "N", count: 300) + "\n" + shotBody)
        try assertRefused(["run", "name.yaml", "--identity-swap"], "name.yaml:1: shot: a name of 300 characters; names are at most 256")
        try writeShot("lines.yaml", "shot: \"two\\nlines\"\n" + shotBody)
        try assertRefused(["run", "lines.yaml", "--identity-swap"], "lines.yaml:1: shot: a name must be one line")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing written")
    }

    func testTrainYAMLBombsExitTwoThroughTheBinary() throws {
        try writeShot("train.yaml", "model: m.plateswap\nsource: " + String(repeating: "{a: ", count: 5000) + "\n")
        try assertRefused(["train", "train.yaml"], "train.yaml:2: nested deeper than 64 levels")
        try writeShot("bomb.yaml", Self.aliasBomb() + "\n")
        try assertRefused(["train", "bomb.yaml"], "bomb.yaml:6: alias *a4")
    }
}
