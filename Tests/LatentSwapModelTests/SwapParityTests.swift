import Foundation
import Neural
import XCTest
@testable import LatentSwapModel

/// One training step of the swap model against PyTorch: the fixtures hold a tiny model per case,
/// its inputs, and what scripts/swap_parity.py (a plain PyTorch twin) computed from them: outputs,
/// loss parts, every gradient, the weights after one Adam step and the VQ state after its EMA
/// update. The step here is the trainer's own (`SwapTrainer.record`, backward, `optimizer.step()`).
final class SwapParityTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Errors relative to the largest magnitude of the reference tensor (Float32 on both sides;
    /// the measured ones are 10-100x smaller).
    static let outputTolerance: Float = 1e-5, gradientTolerance: Float = 1e-4
    /// Weights after the step, in units of the learning rate: the first Adam step moves each weight
    /// by lr * g / (|g| + eps), which is sensitive to rounding only where |g| is near eps.
    static let stepTolerance: Float = 1e-2

    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swapparity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testDFDense() throws { try checkStep("df_dense_novq") }
    func testDFDenseVQ() throws { try checkStep("df_dense_vq") }
    func testLIAEDense() throws { try checkStep("liae_dense_novq") }
    func testLIAEDenseVQ() throws { try checkStep("liae_dense_vq") }
    func testDFConvVQ() throws { try checkStep("df_conv_vq") }
    func testLIAEConvVQ() throws { try checkStep("liae_conv_vq") }
    func testDFDenseGridVQ() throws { try checkStep("df_dense_grid_vq") }
    func testLIAEDenseGridVQ() throws { try checkStep("liae_dense_grid_vq") }

    /// A fixture file and the settings of its case (metadata `case`: a JSON object of strings).
    struct Fixture {
        let name: String
        let file: SafeTensorsFile
        let settings: [String: String]

        init(_ name: String) throws {
            self.name = name
            file = try SafeTensorsFile(url: SwapParityTests.fixtures.appendingPathComponent("swap_parity_\(name).safetensors"))
            settings = try JSONDecoder().decode([String: String].self, from: Data((file.metadata["case"] ?? "").utf8))
        }

        func tensor(_ key: String) throws -> Tensor { try file.tensor(key) }

        func value<T: LosslessStringConvertible>(_ key: String) throws -> T {
            guard let text = settings[key], let value = T(text) else {
                throw SwapModelError.invalidData("\(name): metadata '\(key)' is missing or not a \(T.self)")
            }
            return value
        }

        func config() throws -> SwapModelConfig {
            guard let archetype = SwapModelConfig.Archetype(rawValue: try value("archetype")),
                  let inter = SwapModelConfig.Inter(rawValue: try value("inter")) else {
                throw SwapModelError.invalidData("\(name): unknown archetype or inter")
            }
            var config = SwapModelConfig(
                archetype: archetype, inter: inter,
                dims: .init(encoder: try value("encoder"), decoder: try value("decoder"), bottleneck: try value("bottleneck"),
                            mask: try value("mask")),
                vq: .init(enabled: try value("vq"), codebookSize: try value("codebook_size"), codeDim: try value("code_dim"),
                          commitment: try value("commitment"), emaDecay: try value("ema_decay")),
                codec: .init(id: "parity", sha256: String(repeating: "0", count: 64), channels: try value("channels")),
                resolution: try value("resolution"))
            config.backgroundWeight = try value("background_weight")
            return config
        }

        /// One identity's batch as the trainer builds it, unwarped: input = target = the latents.
        func batch(_ identity: String, backgroundWeight: Float) throws -> SwapTrainer.Batch {
            let latents = try tensor("input.\(identity)"), masks = try tensor("mask.\(identity)")
            return SwapTrainer.Batch(input: latents, target: latents,
                                     weights: SwapLoss.weights(mask: masks, backgroundWeight: backgroundWeight), masks: masks)
        }
    }

    /// Largest |actual - expected| over the reference's largest magnitude.
    func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
        actual.maxAbsDifference(expected) / max(expected.maxAbs, .leastNormalMagnitude)
    }

    func checkStep(_ name: String) throws {
        let fixture = try Fixture(name)
        let config = try fixture.config()
        var options = TrainOptions()
        options.batchSize = try fixture.value("batch")
        options.learningRate = try fixture.value("learning_rate")
        options.maskLossWeight = try fixture.value("mask_loss_weight")
        options.randomWarp = nil
        let source = try fixture.batch("source", backgroundWeight: config.backgroundWeight)
        let target = try fixture.batch("target", backgroundWeight: config.backgroundWeight)
        func faces(_ batch: SwapTrainer.Batch) -> LatentFaceSet {
            LatentFaceSet(name: name, faces: (0..<batch.input.shape[0]).map { i in
                [LatentSample(latent: slice(batch.input, axis: 0, i..<i + 1).reshaped(Array(batch.input.shape.dropFirst())),
                              mask: slice(batch.masks, axis: 0, i..<i + 1).reshaped(Array(batch.masks.shape.dropFirst())))]
            })
        }
        let trainer = try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent("\(name).plateswap")), config: config,
                                      options: options, resume: false, source: faces(source), target: faces(target))
        let model = trainer.model

        // The reference names its parameters as Swift does: the same set, loaded by name.
        let names = Set(fixture.file.names.filter { $0.hasPrefix("param.") }.map { String($0.dropFirst("param.".count)) })
        XCTAssertEqual(Set(model.parameters.map(\.name)), names, "\(name): parameter names differ from the reference's")
        for p in model.parameters {
            let value = try fixture.tensor("param.\(p.name)")
            XCTAssertEqual(value.shape, p.value.shape, "\(name): shape of \(p.name)")
            p.value = value
        }
        let vq = model.quantizer
        XCTAssertEqual(vq != nil, config.vq.enabled)
        if let vq {
            vq.codebook = try fixture.tensor("vq.codebook").data
            vq.emaCount = try fixture.tensor("vq.ema_count").data
            vq.emaSum = try fixture.tensor("vq.ema_sum").data
        }

        // Forward outputs on a scratch tape (`record` keeps them to itself); the VQ state the
        // forward pass updates is put back, so `record` starts from the same one.
        let vqBefore = vq.map { ($0.codebook, $0.emaCount, $0.emaSum) }
        var random = SeededRandom(seed: 1)
        let out = model.trainingForward(source: source.input, target: target.input, tape: Tape(), random: &random)
        if let vq, let vqBefore { (vq.codebook, vq.emaCount, vq.emaSum) = vqBefore }
        var worst: [String: Float] = [:]
        func check(_ what: String, _ actual: Tensor, _ key: String, tolerance: Float) throws {
            let expected = try fixture.tensor(key)
            XCTAssertEqual(actual.shape, expected.shape, "\(name): shape of \(what)")
            guard actual.shape == expected.shape else { return }
            let error = relativeError(actual, expected)
            let kind = String(key.prefix { $0 != "." })
            worst[kind] = max(worst[kind] ?? 0, error)
            XCTAssertLessThanOrEqual(error, tolerance, "\(name): \(what) differs from PyTorch (relative error \(error))")
        }
        try check("source reconstruction", out.source.value, "out.source", tolerance: Self.outputTolerance)
        try check("target reconstruction", out.target.value, "out.target", tolerance: Self.outputTolerance)
        try check("source mask", try XCTUnwrap(out.sourceMask).value, "out.source_mask", tolerance: Self.outputTolerance)
        try check("target mask", try XCTUnwrap(out.targetMask).value, "out.target_mask", tolerance: Self.outputTolerance)

        // The trainer's step: every loss term, backward, Adam.
        trainer.optimizer.zeroGrad()
        let tape = Tape()
        let (total, losses) = trainer.record(source: source, target: target, tape: tape, pixel: false, random: &random)
        var parts = [("total", losses.total), ("source", losses.source), ("target", losses.target), ("mask", losses.mask)]
        if vq != nil { parts.append(("commitment", losses.commitment)) }
        for (part, value) in parts {
            try check("loss \(part)", .scalar(value).reshaped([1]), "loss.\(part)", tolerance: Self.outputTolerance)
        }
        tape.backward(total)
        for p in model.parameters {
            try check("gradient of \(p.name)", p.grad, "grad.\(p.name)", tolerance: Self.gradientTolerance)
        }
        trainer.optimizer.step()
        for p in model.parameters {
            let expected = try fixture.tensor("step.\(p.name)")
            let error = p.value.maxAbsDifference(expected) / options.learningRate
            worst["step"] = max(worst["step"] ?? 0, error)
            XCTAssertLessThanOrEqual(error, Self.stepTolerance, "\(name): \(p.name) after the Adam step differs from PyTorch (\(error) lr)")
        }
        if let vq {
            XCTAssertEqual(vq.lastIndices.map(Float.init), try fixture.tensor("vq_after.indices").data, "\(name): VQ code assignments")
            XCTAssertEqual(vq.lastRestarts, 0, "\(name): a dead code was restarted (random): the fixture must keep every count high")
            let (k, d) = (vq.codebookSize, vq.codeDim)
            try check("codebook after the EMA update", Tensor(shape: [k, d], data: vq.codebook), "vq_after.codebook",
                      tolerance: Self.outputTolerance)
            try check("EMA counts", Tensor(shape: [k], data: vq.emaCount), "vq_after.ema_count", tolerance: Self.outputTolerance)
            try check("EMA sums", Tensor(shape: [k, d], data: vq.emaSum), "vq_after.ema_sum", tolerance: Self.outputTolerance)
        }
        print("swap parity \(name): largest errors " + worst.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
