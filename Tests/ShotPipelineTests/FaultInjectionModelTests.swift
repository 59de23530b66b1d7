import Foundation
import LatentSwapModel
import Neural
import PlateIO
import Support
import XCTest
@testable import ShotPipeline

/// Issue 16, item 7: a damaged model is never used silently. `run` refuses it (exit 2, naming the
/// file and what is wrong) unless `model.allow_backup: true` or `--use-backup` lets its newest
/// intact backup render, and report.json names the checkpoint that did. `train --resume` may go on
/// from its own backup, saying so.
final class FaultInjectionModelTests: FaultInjectionCase {
    var model: URL { dir.appendingPathComponent("model.plateswap") }
    var weights: URL { model.appendingPathComponent("weights.safetensors") }
    var backup: URL { model.appendingPathComponent("backups/iteration-000000001") }

    /// A random 64 px TAEF2 model saved twice: iteration 2 current, iteration 1 in backups/.
    func makeModelWithBackup() throws {
        let codec = try CodecLoader.load(.taef2, searchPath: ModelSearchPath(folders: [models]))
        let config = SwapModelConfig(archetype: .df, dims: .init(encoder: 8, decoder: 8, bottleneck: 16), vq: .init(enabled: false),
                                     codec: .init(id: "taef2", sha256: try codec.identity.sha256, channels: 32), resolution: 64)
        let directory = ModelDirectory(url: model)
        for iteration in [1, 2] {
            try directory.save(model: SwapAutoencoder(config: config, seed: UInt64(iteration)), optimizer: nil,
                               state: TrainState(iteration: iteration, seed: UInt64(iteration), learningRate: 1e-4))
        }
    }

    /// Cuts the last 100 bytes off `file`, as a write cut short would (twice is still damaged).
    func damage(_ file: URL) throws {
        let data = try Data(contentsOf: file)
        try data.prefix(data.count - 100).write(to: file)
    }

    /// sha256 of every file under the model directory.
    func modelHashes() throws -> [String: String] {
        let names = (fm.enumerator(atPath: model.path)?.allObjects as? [String]) ?? []
        var result: [String: String] = [:]
        for name in names where !name.hasSuffix("/") {
            var isDirectory: ObjCBool = false
            let url = model.appendingPathComponent(name)
            if fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue { result[name] = try SHA256.hex(fileAt: url) }
        }
        return result
    }

    func testDamagedModelIsAnErrorUnlessABackupIsAllowed() throws {
        try XCTSkipUnless(fm.fileExists(atPath: models.appendingPathComponent("taesd/taef2_encoder.safetensors").path), "no TAEF2 weights")
        try makeModelWithBackup()
        let intact = try Data(contentsOf: weights)
        try damage(weights)
        try copyPlate(1001)
        try writeShot(face: "{}")
        let modelBefore = try modelHashes()

        let refused = try runShot(["shot.yaml"])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        for expected in ["model.path: cannot load the swap model: \(weights.path): SHA-256 ", "does not match state.json",
                         "its newest intact backup is \(backup.path) (iteration 1)",
                         "to render with it, set model.allow_backup: true in shot.yaml or pass --use-backup"] {
            XCTAssertTrue(refused.stderr.contains(expected), "missing '\(expected)' in \(refused.stderr)")
        }
        XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing rendered")
        XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("tracks.json").path), "refused before tracking")

        let backupWeights = backup.appendingPathComponent("weights.safetensors")
        let expected = RunReport.Checkpoint(weights: backupWeights.path, sha256: try SHA256.hex(fileAt: backupWeights), iteration: 1, backup: true)
        let flag = try runShot(["shot.yaml", "--use-backup"])
        XCTAssertEqual(flag.status, 0, flag.stderr)
        XCTAssertTrue(flag.stderr.contains("warning: the checkpoint of \(model.path) is damaged"), flag.stderr)
        XCTAssertTrue(flag.stderr.contains("using the backup \(backup.path) (iteration 1) instead"), flag.stderr)
        XCTAssertEqual(try report.checkpoint, expected)
        let identity = try report.model
        XCTAssertTrue(identity.contains("model.plateswap@1:"), identity)
        let header = try XCTUnwrap(try ExrImage.headers(of: dir.appendingPathComponent("out/swap.1001.exr")).first)
        guard case let .string(rendered)? = header.attributes["plateswap:model"] else { return XCTFail("no plateswap:model") }
        XCTAssertTrue(rendered.contains("@1:"), rendered)

        try writeShot(face: "{}", model: "{path: model.plateswap, allow_backup: true}")
        let key = try runShot(["shot.yaml", "--force"])
        XCTAssertEqual(key.status, 0, key.stderr)
        XCTAssertEqual(try report.checkpoint, expected)
        XCTAssertEqual(try modelHashes(), modelBefore, "rendering never writes the model")

        // Repaired: the model's own checkpoint renders, and the report says so.
        try intact.write(to: weights)
        let repaired = try runShot(["shot.yaml"])
        XCTAssertEqual(repaired.status, 0, repaired.stderr)
        XCTAssertFalse(repaired.stderr.contains("damaged"), repaired.stderr)
        XCTAssertEqual(try report.checkpoint, RunReport.Checkpoint(weights: weights.path, sha256: try SHA256.hex(fileAt: weights),
                                                                   iteration: 2, backup: false))

        // Nothing intact: refused even with --use-backup.
        try damage(weights)
        try damage(backupWeights)
        let hopeless = try runShot(["shot.yaml", "--use-backup"])
        XCTAssertEqual(hopeless.status, 2, hopeless.stderr)
        XCTAssertTrue(hopeless.stderr.contains("the model's checkpoint is damaged and no backup of it is intact"), hopeless.stderr)
    }

    /// `train --resume` on a damaged checkpoint goes on from the newest intact backup with a
    /// warning (and clears a killed save's temporaries); with no intact backup it exits 2.
    func testTrainResumeGoesOnFromItsOwnBackupAndSaysSo() throws {
        try XCTSkipUnless(fm.fileExists(atPath: models.appendingPathComponent("taesd/taef2_encoder.safetensors").path), "no TAEF2 weights")
        try TrainFixtures.makeProject(at: dir, faces: 4)
        let yaml = try TrainFixtures.writeTrainYAML(in: dir, iterations: 2)
        let trained = try plateswap(["train", yaml.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let actor = dir.appendingPathComponent("actor.plateswap")
        try damage(actor.appendingPathComponent("weights.safetensors"))
        let temporary = actor.appendingPathComponent(".state.json.tmp-\(try deadPID())-1")
        try Data().write(to: temporary)

        let resumed = try plateswap(["train", yaml.path, "--resume", "--iterations", "4"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("weights.safetensors: SHA-256"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("--resume: continuing from iteration-000000000 (iteration 0)"), resumed.stderr)
        XCTAssertFalse(fm.fileExists(atPath: temporary.path), "a dead writer's temporary is removed")
        XCTAssertEqual(try ModelDirectory(url: actor).loadCheckpoint(optimizer: nil, allowBackup: false).state.iteration, 4)

        try damage(actor.appendingPathComponent("weights.safetensors"))
        for slot in try fm.contentsOfDirectory(atPath: actor.appendingPathComponent("backups").path) {
            try damage(actor.appendingPathComponent("backups/\(slot)/weights.safetensors"))
        }
        let hopeless = try plateswap(["train", yaml.path, "--resume", "--iterations", "6"])
        XCTAssertEqual(hopeless.status, 2, hopeless.stderr)
        XCTAssertTrue(hopeless.stderr.contains("train: --resume: "), hopeless.stderr)
        XCTAssertTrue(hopeless.stderr.contains("no backup of it is intact"), hopeless.stderr)
    }
}
