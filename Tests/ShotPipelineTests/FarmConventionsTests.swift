import Foundation
import PlateIO
import XCTest
@testable import ShotPipeline

/// Farm conventions through the `plateswap` binary (`IdentityShot`): OpenJD progress and status
/// lines on stdout only inside an OpenJD session, `on_error: skip` succeeding when every failure
/// was a skip it was told to make, and a template's chunk that skips a damaged frame under `openjd run`.
final class FarmConventionsTests: XCTestCase {
    var shot: IdentityShot!

    override func setUpWithError() throws { shot = try IdentityShot("farm-conventions") }
    override func tearDownWithError() throws { shot.remove() }

    /// The OpenJD lines of a run's stdout: statuses and progress percentages, in order.
    static func messages(_ stdout: String) -> (status: [String], progress: [Int], other: [String]) {
        var result: (status: [String], progress: [Int], other: [String]) = ([], [], [])
        for line in stdout.split(separator: "\n").map(String.init) {
            if line.hasPrefix("openjd_status: ") { result.status.append(String(line.dropFirst(15))) }
            else if line.hasPrefix("openjd_progress: "), let value = Int(line.dropFirst(17)) { result.progress.append(value) }
            else { result.other.append(line) }
        }
        return result
    }

    func testOpenJDLinesOnlyInASession() throws {
        let session: [String: String?] = ["OPENJD_SESSION_WORKING_DIR": shot.dir.path, "PLATESWAP_OPENJD_MESSAGES": nil]
        let inside = Self.messages(try shot.run("session", environment: session).stdout)
        XCTAssertEqual(inside.other, [], "stdout holds only OpenJD lines")
        XCTAssertEqual(inside.progress, [33, 66, 100], "one line per frame of three")
        XCTAssertEqual(inside.status.first, "identity swap (no model)")
        XCTAssertTrue(inside.status.contains("swapping 3 frame(s)"), "\(inside.status)")
        XCTAssertTrue(inside.status.last?.hasPrefix("3 frame(s) done") ?? false, "\(inside.status)")

        let outside = try shot.run("plain", environment: ["OPENJD_SESSION_WORKING_DIR": nil, "PLATESWAP_OPENJD_MESSAGES": nil])
        XCTAssertEqual(outside.stdout, "", "outside a session stdout stays empty")
        var off = session
        off["PLATESWAP_OPENJD_MESSAGES"] = "0"
        XCTAssertEqual(try shot.run("off", environment: off).stdout, "", "PLATESWAP_OPENJD_MESSAGES=0 turns them off")
        let forced = try shot.run("forced", environment: ["OPENJD_SESSION_WORKING_DIR": nil, "PLATESWAP_OPENJD_MESSAGES": "1"])
        XCTAssertEqual(Self.messages(forced.stdout).progress.last, 100, "PLATESWAP_OPENJD_MESSAGES=1 turns them on")
    }

    /// Frame 1002 of the plate is truncated.
    func damageFrame1002() throws {
        let url = shot.dir.appendingPathComponent("plates/plate.1002.exr")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        try shot.writeTracks()
    }

    func testOnErrorSkipSucceedsWhenEveryFailureWasAnAskedSkip() throws {
        try damageFrame1002()
        let chunk = ["--frames", "1001-1003"]
        let skipping = try shot.run("skip", extra: "on_error: skip", arguments: chunk, expect: 0)
        XCTAssertTrue(skipping.stderr.contains("frame 1002 skipped (on_error: skip)"), skipping.stderr)
        let report = try RunReport.read(shot.dir.appendingPathComponent("skip/report.1001-1003.json"))
        XCTAssertEqual(report.done, [1001, 1003])
        XCTAssertEqual(report.failed.map(\.frame), [1002])
        XCTAssertEqual(report.failed.map(\.skippedOnError), [true])
        XCTAssertTrue(report.failed[0].error.contains("plate.1002.exr"), report.failed[0].error)
        let json = try String(contentsOf: shot.dir.appendingPathComponent("skip/report.1001-1003.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"skipped_on_error\" : true"), json)

        // on_error: fail stops at the damaged frame and fails.
        try shot.run("fail", arguments: chunk, expect: 1)
        XCTAssertEqual(try RunReport.read(shot.dir.appendingPathComponent("fail/report.1001-1003.json")).failed.map(\.skippedOnError), [false])

        // A failure that is not an unreadable input (tracks.json lacks the frame) fails under skip too.
        try SyntheticShot.writeTracks(shot.dir.appendingPathComponent("gap/tracks.json"), plate: shot.dir.appendingPathComponent("plates/plate.####.exr"), frames: [1001, 1002], cx: 100, cy: 80, side: 90)
        try shot.run("gap", extra: "on_error: skip", tracks: "gap/tracks.json", arguments: ["--frames", "1001,1003"], expect: 1)
        let gap = try RunReport.read(shot.dir.appendingPathComponent("gap/report.1001-1003.json"))
        XCTAssertEqual(gap.done, [1001])
        XCTAssertEqual(gap.failed.map(\.frame), [1003])
        XCTAssertEqual(gap.failed.map(\.skippedOnError), [false])
    }

    /// The farm template of the shot with a damaged frame: `openjd run` runs track and one swap
    /// chunk (1001-1003) that skips frame 1002 and succeeds, and the tasks print progress lines.
    func testOpenJDRunOfAChunkThatSkipsADamagedFrame() throws {
        let (plateswap, openjd) = (try FarmTools.plateswap(), try FarmTools.openjd())
        try damageFrame1002()
        let file = try shot.writeShot("farm", extra: "on_error: skip")
        let job = shot.dir.appendingPathComponent("job.yaml")
        let farm = try FarmTools.run(plateswap, ["farm", file.path, "--chunk", "3", "--identity-swap", "-o", job.path])
        XCTAssertEqual(farm.status, 0, farm.stderr)
        let template = try OpenJDTemplate.parse(yaml: try String(contentsOf: job, encoding: .utf8))
        for step in template.steps {
            let amounts = Dictionary(uniqueKeysWithValues: (step.hostRequirements?.amounts ?? []).map { ($0.name, $0.min) })
            XCTAssertEqual(amounts, ["amount.worker.vcpu": 2, "amount.worker.memory": 2048], "step \(step.name)")
            XCTAssertEqual(step.hostRequirements?.attributes?.map(\.name), ["attr.worker.os.family", "attr.worker.cpu.arch"])
            XCTAssertEqual(step.hostRequirements?.attributes?.map(\.anyOf), [["linux"], ["x86_64"]])
        }
        XCTAssertEqual(try FarmTools.run(openjd, ["check", job.path]).status, 0, "openjd accepts the host requirements")
        let run = try FarmTools.run(openjd, ["run", job.path], in: shot.dir)
        XCTAssertEqual(run.status, 0, "\(run.stdout.suffix(3000))\n\(run.stderr.suffix(3000))")
        let log = run.stdout + run.stderr
        XCTAssertTrue(log.contains("openjd_progress: 100"), log.suffix(3000).description)
        XCTAssertTrue(log.contains("openjd_status: swapping 3 frame(s)"), log.suffix(3000).description)
        let report = try RunReport.read(shot.dir.appendingPathComponent("farm/report.1001-1003.json"))
        XCTAssertEqual(report.done, [1001, 1003])
        XCTAssertEqual(report.failed.map(\.skippedOnError), [true])
    }
}
