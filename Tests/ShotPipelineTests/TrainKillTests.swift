import Foundation
import Neural
import XCTest
@testable import ShotPipeline

/// `plateswap train` killed with SIGKILL (a farm's preemption, an out-of-memory kill) at several
/// moments, drawn from a fixed seed, and resumed each time: the model it ends with is byte for
/// byte the one an uninterrupted run makes (issue 16).
final class TrainKillTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try SyntheticShot.temporaryFolder("trainkill") }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    func testKilledTrainingResumesToTheUninterruptedModel() throws {
        try requireModels(["taesd/taef2_encoder.safetensors", "mtcnn/pnet.safetensors", "mediapipe/face_landmark.safetensors"])
        try extractTalkingPair(in: dir, count: 4)
        func yaml(_ model: String) -> String {
            """
            model: \(model)
            source: actor
            target: plate
            resolution: 256
            dims: {encoder: 8, decoder: 8, bottleneck: 16, mask: 4}
            vq: {enabled: true, codebook_size: 32, code_dim: 8}
            batch_size: 2
            stop: {iterations: 60}
            save_every: 3
            preview_every: 0
            """
        }
        try yaml("killed.plateswap").write(to: dir.appendingPathComponent("train.yaml"), atomically: true, encoding: .utf8)
        try yaml("straight.plateswap").write(to: dir.appendingPathComponent("straight.yaml"), atomically: true, encoding: .utf8)
        let straight = try PlateswapProcess.run(["train", "straight.yaml"], in: dir)
        XCTAssertEqual(straight.status, 0, straight.stderr)

        // Kill moments: while the first checkpoint is written, then a short random delay after a
        // checkpoint drawn from the seed in each fifth of the run (a save every 3 iterations makes
        // many of them land in or near a save). Kills follow the iteration, not the clock, so a
        // fast machine cannot finish the run before the kills.
        var random = SeededRandom(seed: 7)
        var kills = 0, resumes = 0
        for round in 0..<5 {
            let model = dir.appendingPathComponent("killed.plateswap")
            let hasCheckpoint = FileManager.default.fileExists(atPath: model.appendingPathComponent("state.json").path)
            let run = try PlateswapProcess(["train", "train.yaml"] + (hasCheckpoint ? ["--resume"] : []), in: dir)
            resumes += hasCheckpoint ? 1 : 0
            if round == 0 {
                _ = run.waitUntil { FileManager.default.fileExists(atPath: model.appendingPathComponent(".saving").path) }
            } else {
                let checkpoint = 12 * round - 6 + 3 * Int(random.next() % 3)
                _ = run.waitUntil { savedIteration(of: model) >= checkpoint }
                Thread.sleep(forTimeInterval: Double(random.next() % 40) / 1000)
            }
            guard run.process.isRunning else { run.finish(); break }
            kill(run.process.processIdentifier, SIGKILL)
            run.finish()
            kills += 1
        }
        XCTAssertEqual(kills, 5, "every run must be killed while training")
        let last = try PlateswapProcess.run(["train", "train.yaml", "--resume"], in: dir)
        XCTAssertEqual(last.status, 0, last.stderr)
        print("measured: \(kills) SIGKILLs, \(resumes) resumes before the last")
        for file in ["weights.safetensors", "optimizer.safetensors"] {
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("killed.plateswap/" + file)),
                           try Data(contentsOf: dir.appendingPathComponent("straight.plateswap/" + file)), file)
        }
    }

    /// The iteration of the checkpoint on disk (-1 while there is none or it is being replaced).
    private func savedIteration(of model: URL) -> Int {
        guard let data = try? Data(contentsOf: model.appendingPathComponent("state.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let iteration = object["iteration"] as? Int else { return -1 }
        return iteration
    }
}
