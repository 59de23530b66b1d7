import Foundation
import PlateIO
import XCTest
@testable import ShotPipeline

/// `plateswap` as a farm runs it: a subprocess killed with SIGKILL at several moments, then re-run;
/// exit codes and report.json for corrupt frames and bad configuration.
final class KillAndResumeTests: XCTestCase {
    var dir: URL!
    let frames = Array(1001...1012)

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("kill")
        try SyntheticShot.writePlates(dir.appendingPathComponent("plates"), frames: frames, window: PixelBox(width: 640, height: 480))
        try SyntheticShot.writeTracks(dir.appendingPathComponent("tracks.json"), plate: dir.appendingPathComponent("plates/plate.####.exr"), frames: frames, cx: 300, cy: 240, side: 260, drift: 2)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func writeShot(_ name: String, output: String, extra: String = "") throws -> URL {
        let url = dir.appendingPathComponent(name)
        try """
            shot: KILL
            plate: {path: plates/plate.####.exr}
            output: {path: \(output)/swap.####.exr, compression: zip, tracks: tracks.json}
            model: {path: model.plateswap}
            face: {size: 128}
            blend: {mask_erode: 2, mask_blur: 4}
            \(extra)
            """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try SyntheticShot.binary()
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func run(_ arguments: [String]) throws -> Int32 {
        let process = try launch(arguments)
        process.waitUntilExit()
        return process.terminationStatus
    }

    func names(in folder: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(folder).path)) ?? []
    }

    /// Polls until `condition` holds (or 120 s pass).
    func wait(until condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(120)
        while !condition() && Date() < deadline { usleep(300) }
    }

    func testKilledRunsResumeToBitIdenticalFramesWithoutLeftovers() throws {
        let reference = try writeShot("reference.yaml", output: "reference")
        XCTAssertEqual(try run(["reference.yaml", "--identity-swap"]), 0)
        _ = reference
        _ = try writeShot("shot.yaml", output: "out")
        let frameFiles = { self.names(in: "out").filter { $0.hasPrefix("swap.") && $0.hasSuffix(".exr") } }
        let moments: [(String, () -> Bool)] = [
            ("at start-up", { true }),
            ("after the first frame", { frameFiles().count >= 1 }),
            ("while a frame is being written", { self.names(in: "out").contains { $0.hasPrefix(".swap.") && $0.contains(".tmp-") } }),
            ("half-way", { frameFiles().count >= self.frames.count / 2 }),
        ]
        var killedMidRun = 0
        for (moment, condition) in moments {
            let process = try launch(["shot.yaml", "--identity-swap"])
            wait(until: { condition() || !process.isRunning })
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killedMidRun += 1 }
            // Whatever carries a final name is a complete, readable frame.
            for name in frameFiles() {
                XCTAssertNoThrow(try ExrImage.read(dir.appendingPathComponent("out/" + name)), "\(name) after a kill \(moment)")
            }
        }
        XCTAssertGreaterThanOrEqual(killedMidRun, 3, "the runs must be killed while working")
        XCTAssertLessThan(frameFiles().count, frames.count, "the kills left work to resume")

        XCTAssertEqual(try run(["shot.yaml", "--identity-swap"]), 0)
        let report = try RunReport.read(dir.appendingPathComponent("out/report.json"))
        XCTAssertEqual((report.done + report.skipped).sorted(), frames)
        XCTAssertFalse(report.skipped.isEmpty, "frames finished before a kill are not redone")
        XCTAssertEqual(names(in: "out").filter { $0.hasPrefix(".") }, [], "no temporary file is left")
        for frame in frames {
            let name = String(format: "swap.%04d.exr", frame)
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("out/" + name)),
                           try Data(contentsOf: dir.appendingPathComponent("reference/" + name)), "frame \(frame)")
        }
    }

    func testExitCodesAndReportForCorruptFramesAndBadConfiguration() throws {
        let plate = dir.appendingPathComponent("plates/plate.1003.exr")
        let bytes = try Data(contentsOf: plate)
        try bytes.prefix(bytes.count / 3).write(to: plate)
        // Tracks made after the damage (any change to the plate makes tracks.json out of date).
        try SyntheticShot.writeTracks(dir.appendingPathComponent("tracks.json"), plate: dir.appendingPathComponent("plates/plate.####.exr"),
                                      frames: frames, cx: 300, cy: 240, side: 260, drift: 2)
        _ = try writeShot("fail.yaml", output: "fail", extra: "on_error: fail")
        _ = try writeShot("skip.yaml", output: "skip", extra: "on_error: skip")

        XCTAssertEqual(try run(["fail.yaml", "--identity-swap", "--frames", "1001-1005"]), 1)
        let failed = try RunReport.read(dir.appendingPathComponent("fail/report.1001-1005.json"))
        XCTAssertEqual(failed.done, [1001, 1002])
        XCTAssertEqual(failed.failed.map(\.frame), [1003])
        XCTAssertTrue(failed.failed[0].error.contains("plate.1003.exr"), failed.failed[0].error)
        XCTAssertEqual(names(in: "fail").filter { $0.hasSuffix(".exr") }.sorted(), ["swap.1001.exr", "swap.1002.exr"])

        // on_error: skip passes over the damaged frame as told: the run succeeds (issue 14).
        XCTAssertEqual(try run(["run", "skip.yaml", "--identity-swap", "--frames", "1001-1005"]), 0)
        let skipped = try RunReport.read(dir.appendingPathComponent("skip/report.1001-1005.json"))
        XCTAssertEqual(skipped.done, [1001, 1002, 1004, 1005])
        XCTAssertEqual(skipped.failed.map(\.frame), [1003])
        XCTAssertEqual(skipped.failed.map(\.skippedOnError), [true])

        // Frames that exist and are whole: exit 0.
        XCTAssertEqual(try run(["skip.yaml", "--identity-swap", "--frames", "1004-1006"]), 0)

        // Bad configuration: exit 2, nothing written.
        _ = try writeShot("bad.yaml", output: "bad", extra: "blend_typo: 1")
        XCTAssertEqual(try run(["bad.yaml", "--identity-swap"]), 2)
        XCTAssertEqual(try run(["skip.yaml", "--identity-swap", "--frames", "1005-1001"]), 2)
        XCTAssertTrue(names(in: "bad").isEmpty)
        // No trained model in model.path (and no --identity-swap): exit 2.
        XCTAssertEqual(try run(["skip.yaml", "--frames", "1001"]), 2)
    }
}
