import FaceAlign
import Foundation
import Imaging
import PlateIO
import Support
import XCTest
@testable import ShotPipeline

/// What the fault-injection tests share (issue 16): a temporary shot folder with copies of
/// ../shared/data/plates/s18_piz frames, the built binary run in it with the shared models, and
/// hashes that prove the plate's bytes never change.
class FaultInjectionCase: XCTestCase {
    var dir: URL!
    let fm = FileManager.default
    var models: URL { ExtractFixtures.shared.appendingPathComponent("models") }

    override func setUpWithError() throws {
        try XCTSkipUnless(fm.fileExists(atPath: ExtractFixtures.data("plates/s18_piz/plate.1001.exr").path), "no ../shared plates")
        dir = try SyntheticShot.temporaryFolder("fault")
        try fm.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { if let dir { try? fm.removeItem(at: dir) } }

    // MARK: helpers

    /// Puts s18_piz frame `source` (default: the same number) in as plate frame `frame`.
    func copyPlate(_ frame: Int, from source: Int? = nil) throws {
        let target = dir.appendingPathComponent("plates/plate.\(frame).exr")
        try? fm.removeItem(at: target)
        try fm.copyItem(at: ExtractFixtures.data("plates/s18_piz/plate.\(source ?? frame).exr"), to: target)
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
    }

    func writeShot(plate: String = "{path: plates/plate.####.exr}", face: String = "{size: 128}",
                   model: String = "{path: model.plateswap}") throws {
        try """
            shot: FAULT
            plate: \(plate)
            output: {path: out/swap.####.exr, compression: zip, tracks: tracks.json}
            model: \(model)
            face: \(face)
            on_error: skip
            """.write(to: dir.appendingPathComponent("shot.yaml"), atomically: true, encoding: .utf8)
    }

    func plateswap(_ arguments: [String]) throws -> ExtractFixtures.Run {
        try ExtractFixtures.plateswap(arguments, in: dir, environment: ["PLATESWAP_MODELS": models.path])
    }

    /// sha256 of every file in `folder` (the inputs that must never change).
    func hashes(_ folder: String = "plates") throws -> [String: String] {
        let url = dir.appendingPathComponent(folder)
        var result: [String: String] = [:]
        for name in try fm.contentsOfDirectory(atPath: url.path) { result[name] = try SHA256.hex(fileAt: url.appendingPathComponent(name)) }
        return result
    }

    /// Runs and checks the plate's bytes did not change.
    func runShot(_ arguments: [String] = ["shot.yaml", "--identity-swap"], file: StaticString = #filePath,
                 line: UInt = #line) throws -> ExtractFixtures.Run {
        let before = try hashes()
        let result = try plateswap(arguments)
        XCTAssertEqual(try hashes(), before, "the plate changed: \(result.stderr)", file: file, line: line)
        return result
    }

    var report: RunReport { get throws { try RunReport.read(dir.appendingPathComponent("out/report.json")) } }
    var tracks: TracksDocument { get throws { try TracksDocument.read(from: dir.appendingPathComponent("tracks.json")) } }

    /// The largest `swap.mask` value of an output frame (0: written without a swap).
    func maskPeak(_ frame: Int) throws -> Float {
        let (image, _) = try ExrImage.read(dir.appendingPathComponent("out/swap.\(frame).exr"))
        return image[channel: "swap.mask"].max() ?? 0
    }

    /// A dead process's PID: a child that has exited and been reaped.
    func deadPID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}
