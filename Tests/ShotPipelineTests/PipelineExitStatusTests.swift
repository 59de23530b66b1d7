import Foundation
import LatentSwapModel
import Support
import XCTest
@testable import ShotPipeline

/// Issue 17: the statuses the four per-command mappings gave, now carried by the errors themselves.
final class PipelineExitStatusTests: XCTestCase {
    func testConfigurationAndRefusalsAreBadInputAndFailedFramesAFailure() {
        let file = InputGuard.File(URL(fileURLWithPath: "/tmp/out.exr"), "output.path")
        let statuses: [(any Error, Int32)] = [
            (ConfigError(file: "shot.yaml", line: 3, keyPath: "output.path", message: "missing"), 2),
            (InputGuardError(output: file, input: file, reason: "the same file"), 2),
            (OutputFolderError(output: file, reason: "not writable"), 2),
            (PipelineError.configuration("--frames: bad"), 2),
            (PipelineError.unsupported("deep data"), 2),
            (PipelineError.frame(1001, "unreadable"), 1),
            (TrainRunError.badFaceSet("a/faceset.json", "holds no faces"), 2),
            (TrainRunError.mismatch("face sets were cut differently"), 2),
            (TrainError(.setup, "model directory holds another codec"), 2),
            (TrainError(.failed, "loss is NaN"), 1),
            (ReviewError.input("no frames"), 1),
        ]
        for (error, status) in statuses {
            XCTAssertEqual(ExitStatus.of(error), status, "\(error)")
        }
    }
}
