import XCTest
import Neural
@testable import LatentSwapModel

/// Nearest upsampling of the first 3 latent channels: a linear stand-in decoder whose pixel loss
/// can be written down exactly.
final class UpsamplingDecoder: DifferentiableDecoder {
    func decode(_ latents: Var) -> Var { upsampleNearest(slice(latents, axis: 1, 0..<3), scale: 8) }
    func decodeImages(_ latents: Tensor) -> Tensor { upsampleNearest(slice(latents, axis: 1, 0..<3), scale: 8) }
}

/// The optional decoded-pixel loss: the trainer's wiring, and TAEF2's decoder on a tape.
final class PixelLossTests: XCTestCase {
    /// Three faces of random 4 x 8 x 8 latents with a disc mask.
    static func faceSet(seed: UInt64) -> LatentFaceSet {
        LatentFaceSet(name: "s\(seed)", faces: (0..<3).map { i in
            [LatentSample(latent: SwapFixtures.tensor([4, 8, 8], seed: seed + UInt64(i)), mask: SwapFixtures.mask(1, 8, 8).reshaped([1, 8, 8]))]
        })
    }

    /// A trainer of a small model on `faceSet(seed: 1)` and `faceSet(seed: 10)` in a new folder.
    static func trainer(_ options: TrainOptions, folder: URL) throws -> SwapTrainer {
        try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent("m.plateswap")), config: SwapFixtures.config(vq: false),
                        options: options, resume: false, source: faceSet(seed: 1), target: faceSet(seed: 10))
    }

    func testPixelLossIsTheMaskedMSEOfDecodedImagesOnItsIterations() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pixelloss-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainOptions()
        options.batchSize = 3
        options.pixelLossEvery = 2
        options.pixelLossFaces = 2
        options.stopIterations = 4
        options.saveEvery = 0
        options.previewEvery = 0
        let trainer = try Self.trainer(options, folder: folder)
        trainer.pixelDecoder = UpsamplingDecoder()

        // The same loss by hand: decoded pixels are 8x8 copies, so it is the latent MSE of
        // channels 0-2 of the first 2 faces with the same weights.
        let tape = Tape()
        let reconstruction = tape.variable(SwapFixtures.tensor([3, 4, 8, 8], seed: 50))
        let input = SwapFixtures.tensor([3, 4, 8, 8], seed: 51)
        let weights = SwapLoss.weights(mask: SwapFixtures.mask(3, 8, 8), backgroundWeight: 0.1)
        let loss = trainer.pixelLoss(reconstruction, input, weights, UpsamplingDecoder()).value.data[0]
        let expected = SwapLoss.maskedMSE(slice(slice(reconstruction.value, axis: 0, 0..<2), axis: 1, 0..<3),
                                          target: slice(slice(input, axis: 0, 0..<2), axis: 1, 0..<3), weights: slice(weights, axis: 0, 0..<2))
        XCTAssertEqual(Double(loss), expected, accuracy: 1e-6 * expected)

        XCTAssertNotNil(trainer.step(iteration: 0).pixel)
        XCTAssertNil(trainer.step(iteration: 1).pixel)
        let withPixels = trainer.step(iteration: 2)
        XCTAssertEqual(withPixels.total, withPixels.source + withPixels.target + withPixels.mask + withPixels.pixel!, accuracy: 1e-5)
    }

    func testTAEF2DecoderOnATapeMatchesItsInferenceAndGradient() throws {
        guard case let .success(codec) = TinyCodecGoldenTests.taef2, let tiny = codec as? TinyCodec else {
            throw XCTSkip("TAEF2 weights not found under \(CodecTestData.shared.path)/models")
        }
        var random = SeededRandom(seed: 3)
        let latents = random.normalTensor([1, 32, 2, 2], std: 1)
        let tape = Tape()
        let x = tape.variable(latents)
        let gates = ReLUGates()
        let decoded = tiny.decoder.forward(x, gates: gates)
        XCTAssertLessThanOrEqual(decoded.value.maxAbsDifference(try codec.decode(latents)), 1e-5)
        XCTAssertEqual(tiny.decodeImages(latents), try codec.decode(latents))

        // d/dt sum(probe * decode(latents + t v)) against central differences of the network with
        // its ReLU pattern frozen at t = 0: the same function in this linear piece (same
        // gradient), smooth (tanh, GroupNorm) across it, so a step large enough to beat Float
        // rounding is fine. The real network's differences are dominated by kinks and rounding.
        let probe = random.normalTensor(decoded.shape, std: 1)
        tape.backward(sum(mul(decoded, constant(probe, on: tape))))
        let direction = random.normalTensor(latents.shape, std: 1)
        let analytic = zip(tape.gradient(of: x)!.data, direction.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        gates.replaying = true
        func value(_ t: Float) -> Double {
            let out = tiny.decoder.forward(Tape().variable(add(latents, direction.scaled(t))), gates: gates).value
            return zip(out.data, probe.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        XCTAssertEqual(value(0), zip(decoded.value.data, probe.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }, accuracy: 1e-9)
        let numeric = (value(1e-2) - value(-1e-2)) / 2e-2
        XCTAssertEqual(analytic, numeric, accuracy: 1e-3 * abs(numeric))
    }

    func testFeatureLossRunsOnItsIterationsAndAddsToTheTotal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("featureloss-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainOptions()
        options.batchSize = 3
        options.featureLossEvery = 3
        options.featureLossWeight = 0.5
        options.saveEvery = 0
        options.previewEvery = 0
        let trainer = try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent("m.plateswap")), config: SwapFixtures.config(),
                                      options: options, resume: false, source: Self.faceSet(seed: 1), target: Self.faceSet(seed: 10))
        // The stand-in decoder has no inside view: its features are its pixels.
        trainer.pixelDecoder = UpsamplingDecoder()
        let first = trainer.step(iteration: 0)
        XCTAssertNotNil(first.feature)
        XCTAssertGreaterThan(first.feature!, 0)
        XCTAssertEqual(first.total, first.source + first.target + first.mask + 0.5 * first.feature!, accuracy: 1e-5)
        XCTAssertNil(trainer.step(iteration: 1).feature)
        XCTAssertNil(first.pixel)
    }

    func testTAEF2FeaturesOnATapeMatchTheirInferenceAndGradient() throws {
        guard case let .success(codec) = TinyCodecGoldenTests.taef2, let tiny = codec as? TinyCodec else {
            throw XCTSkip("TAEF2 weights not found under \(CodecTestData.shared.path)/models")
        }
        var random = SeededRandom(seed: 4)
        let latents = random.normalTensor([2, 32, 3, 3], std: 1)
        // After the middle blocks and the first upscale level: 64 channels at twice the side.
        let maps = tiny.featureMaps(latents)
        XCTAssertEqual(maps.shape, [2, 64, 6, 6])
        let tape = Tape()
        let x = tape.variable(latents)
        let gates = ReLUGates()
        let features = tiny.decoder.prefix(tiny.featureDepth).forward(x, gates: gates)
        XCTAssertLessThanOrEqual(features.value.maxAbsDifference(maps), 1e-5)
        XCTAssertEqual(tiny.features(Tape().variable(latents)).value, features.value)
        // The loss the trainer uses: masked MSE against another face's features; its directional
        // derivative against central differences with the ReLU pattern frozen (see the decoder test).
        let reference = tiny.featureMaps(random.normalTensor(latents.shape, std: 1))
        let weights = upsampleNearest(SwapLoss.weights(mask: SwapFixtures.mask(2, 3, 3), backgroundWeight: 0.25), scale: 2)
        tape.backward(SwapLoss.maskedMSE(features, target: reference, weights: weights))
        let direction = random.normalTensor(latents.shape, std: 1)
        let analytic = zip(tape.gradient(of: x)!.data, direction.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        gates.replaying = true
        func value(_ t: Float) -> Double {
            let out = tiny.decoder.prefix(tiny.featureDepth).forward(Tape().variable(add(latents, direction.scaled(t))), gates: gates).value
            return SwapLoss.maskedMSE(out, target: reference, weights: weights)
        }
        let numeric = (value(1e-2) - value(-1e-2)) / 2e-2
        XCTAssertEqual(analytic, numeric, accuracy: 2e-3 * abs(numeric))
    }
}
