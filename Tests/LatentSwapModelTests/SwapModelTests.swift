import XCTest
import Neural
@testable import LatentSwapModel

/// A codec stand-in with a chosen identity (checkCodec only looks at identity and channels).
final class NamedCodec: LatentCodec {
    let name: String
    let sha: String
    let latentChannels: Int
    let downscale = 8
    init(name: String, sha: String, channels: Int) { self.name = name; self.sha = sha; latentChannels = channels }
    var identity: CodecIdentity { CodecIdentity(name: name, sha256: sha) }
    func encode(_ images: Tensor) throws -> Tensor { images }
    func decode(_ latents: Tensor) throws -> Tensor { latents }
}

/// The inference API the shot pipeline uses: load, codec check, swap.
final class SwapModelTests: XCTestCase {
    func testLoadSwapsLikeTheSavedNetworkAndChecksCodecAndShapes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swapmodel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = SwapFixtures.config(vq: true, codeDim: 4, codebook: 16)
        let network = SwapAutoencoder(config: config, seed: 4)
        // Fill the codebook the way a first training step does.
        var random = SeededRandom(seed: 1)
        _ = network.quantizer!.restartDeadCodes(rows: (0..<64).map { _ in random.nextNormal() }, random: &random)
        let url = folder.appendingPathComponent("actor.plateswap")
        try ModelDirectory(url: url).save(model: network, optimizer: nil, state: TrainState(iteration: 7, seed: 4, learningRate: 1e-4))

        let model = try SwapModel.load(directory: url)
        XCTAssertEqual(model.cropSize, 64)
        XCTAssertEqual(model.latentChannels, 4)
        XCTAssertEqual(model.latentSize, 8)
        XCTAssertEqual(model.codecName, "test")
        XCTAssertEqual(model.state.iteration, 7)
        XCTAssertTrue(model.identity.hasPrefix("actor.plateswap@7:"), model.identity)
        let input = SwapFixtures.tensor([3, 4, 8, 8], seed: 9)
        let swapped = try model.swap(latents: input)
        XCTAssertEqual(swapped, network.swap(input))
        XCTAssertEqual(try model.reconstruct(latents: input, as: .target), network.decode(input, as: .target))
        XCTAssertNotEqual(swapped, try model.reconstruct(latents: input, as: .target))

        XCTAssertNoThrow(try model.checkCodec(NamedCodec(name: "test", sha: config.codec.sha256, channels: 4)))
        XCTAssertThrowsError(try model.checkCodec(NamedCodec(name: "test", sha: String(repeating: "1", count: 64), channels: 4))) { error in
            XCTAssertTrue("\(error)".contains("actor.plateswap") && "\(error)".contains("trained with codec test"), "\(error)")
        }
        XCTAssertThrowsError(try model.checkCodec(NamedCodec(name: "taesd", sha: config.codec.sha256, channels: 4)))
        XCTAssertThrowsError(try model.swap(latents: SwapFixtures.tensor([1, 4, 16, 16], seed: 1))) { error in
            XCTAssertTrue("\(error)".contains("expected shape [-1, 4, 8, 8]"), "\(error)")
        }
    }

    func testGridSizeIsTheQuantizedCodeSideForLatentsAndThePixelTwin() {
        for inter in [SwapModelConfig.Inter.dense, .conv] {
            for (extra, channels) in [(0, 4), (3, 3)] {
                var config = SwapFixtures.config(inter: inter, channels: channels, resolution: 256)
                config.extraStages = extra
                let network = SwapAutoencoder(config: config, seed: 1)
                let side = config.latentSize << extra
                let encoded = network.encoder.cost(SwapShape(c: channels, h: side, w: side)).out
                let code = network.inters[0].cost(encoded).out
                // The conv layout quantizes its encoder's grid; the dense one reshapes to half that and upscales.
                XCTAssertEqual(encoded.h, inter == .dense ? config.denseSide : config.gridSize, "\(inter), extra stages \(extra)")
                XCTAssertEqual(code.h, config.gridSize, "\(inter), extra stages \(extra)")
                XCTAssertEqual(code.c, config.vq.codeDim)
                XCTAssertEqual(config.gridSize, 8)
                let out = network.decoders[0].cost(code).out
                XCTAssertEqual([out.c, out.h], [channels, side], "decoder output, \(inter)")
                if let mask = network.maskDecoders.first?.cost(code).out { XCTAssertEqual([mask.c, mask.h], [1, side]) }
            }
        }
    }
}
