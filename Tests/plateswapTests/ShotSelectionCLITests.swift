import Foundation
import XCTest

/// `run`, `quality` and `preview` take the shot.yaml argument and `--frames` from one option
/// group (`ShotSelection`): the binary describes them alike and checks `--frames` alike.
final class ShotSelectionCLITests: XCTestCase {
    func testShotCommandsShareTheShotAndFramesOptions() throws {
        var described: [String: [Substring]] = [:]
        for command in ["run", "quality", "preview"] {
            let help = try CLI.run([command, "--help"])
            XCTAssertEqual(help.status, 0, "\(command): \(help.err)")
            let lines = help.out.split(separator: "\n").map { $0.drop { $0 == " " } }
            described[command] = lines.filter { $0.hasPrefix("<shot>") || $0.hasPrefix("--frames") }
            XCTAssertEqual(described[command]?.count, 2, "\(command): \(help.out)")
        }
        XCTAssertEqual(described["quality"], described["run"])
        XCTAssertEqual(described["preview"], described["run"])

        // A bad --frames is the same configuration error (exit 2) whichever command reads it.
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        let shot = dir.appendingPathComponent("shot.yaml")
        try """
            plate: {path: plates/plate.####.exr, frames: 1001-1002}
            output: {path: out/swap.####.exr}
            model: {path: model.plateswap}
            """.write(to: shot, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        var messages: [String] = []
        for command in ["run", "quality", "preview"] {
            let result = try CLI.run([command, shot.path, "--frames", "1002-1001"])
            XCTAssertEqual(result.status, 2, "\(command): \(result.err)")
            messages.append(result.err)
        }
        XCTAssertTrue(messages[0].contains("--frames"), messages[0])
        XCTAssertEqual(Set(messages).count, 1, "\(messages)")
    }
}
