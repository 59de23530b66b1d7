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
        for inter in SwapModelConfig.Inter.allCases {
            for (extra, channels) in [(0, 4), (3, 3)] {
                var config = SwapFixtures.config(inter: inter, channels: channels, resolution: 256)
                config.extraStages = extra
                let network = SwapAutoencoder(config: config, seed: 1)
                let side = config.latentSize << extra
                let encoded = network.encoder.cost(SwapShape(c: channels, h: side, w: side)).out
                let code = network.inters[0].cost(encoded).out
                // The conv layout quantizes its encoder's grid; the dense ones halve it once more, and
                // reshape to half the code grid and upscale (dense) or to the code grid (dense_grid).
                XCTAssertEqual(encoded.h, inter.isDense ? config.denseSide : config.gridSize, "\(inter), extra stages \(extra)")
                XCTAssertEqual(code.h, config.gridSize, "\(inter), extra stages \(extra)")
                XCTAssertEqual(code.c, config.vq.codeDim)
                XCTAssertEqual(config.gridSize, 8)
                let out = network.decoders[0].cost(code).out
                XCTAssertEqual([out.c, out.h], [channels, side], "decoder output, \(inter)")
                if let mask = network.maskDecoders.first?.cost(code).out { XCTAssertEqual([mask.c, mask.h], [1, side]) }
            }
        }
    }

    /// `init: pytorch` draws every weight and bias uniform in +-1/sqrt(fan_in), keeps ICNR's copies,
    /// and is stored in config.json (a config.json without the key is a He-initialised model's).
    func testPyTorchInitialisationDrawsWithinTheFanInBoundAndIsStored() throws {
        for archetype in SwapModelConfig.Archetype.allCases {
            var config = SwapFixtures.config(archetype, inter: .dense, vq: true, dims: .init(encoder: 3, decoder: 4, bottleneck: 6, mask: 2))
            config.initialisation = .pytorch
            let network = SwapAutoencoder(config: config, seed: 5)
            let byName = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.value) })
            for (name, weight) in byName where name.hasSuffix(".weight") {
                let bound = 1 / Float(weight.shape.dropFirst().reduce(1, *)).squareRoot()
                let largest = weight.data.map(abs).max() ?? 0
                XCTAssertLessThanOrEqual(largest, bound, name)
                XCTAssertGreaterThan(largest, 0.4 * bound, "\(name): drawn over the whole range")
                let bias = try XCTUnwrap(byName[String(name.dropLast(6)) + "bias"], name)
                XCTAssertLessThanOrEqual(bias.data.map(abs).max() ?? 0, bound, name)
                XCTAssertTrue(bias.data.contains { $0 != 0 }, "\(name): biases drawn too")
                if name.contains(".upscale") {
                    // ICNR: output channels 4c..4c+3 share one kernel.
                    let per = weight.count / weight.shape[0]
                    XCTAssertEqual(Array(weight.data[0..<per]), Array(weight.data[3 * per..<4 * per]), name)
                }
            }
            let he = SwapAutoencoder(config: SwapFixtures.config(archetype, inter: .dense, vq: true,
                                                                 dims: .init(encoder: 3, decoder: 4, bottleneck: 6, mask: 2)), seed: 5)
            XCTAssertNotEqual(he.parameters[0].value, network.parameters[0].value)
        }
        var config = SwapFixtures.config()
        config.initialisation = .pytorch
        let json = try JSONEncoder().encode(config)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains("\"init\":\"pytorch\""))
        XCTAssertEqual(try JSONDecoder().decode(SwapModelConfig.self, from: json), config)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        object.removeValue(forKey: "init")
        let old = try JSONDecoder().decode(SwapModelConfig.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old.initialisation, .he)
    }

    /// `dense_grid` at the plain reference's sizes (scripts/reference_swap.py: df, encoder 48,
    /// decoder 64, ae 256, code 64, no mask head, 256 px TAEF2 latents) is that network: it has
    /// its 4,410,256 parameters, and the inter's second dense layer writes the 8 x 8 x 64 grid.
    func testDenseGridAtTheReferenceSizesHasTheReferenceParameterCount() {
        var config = SwapFixtures.config(.df, inter: .denseGrid, vq: true, channels: 32, resolution: 256,
                                         dims: .init(encoder: 48, decoder: 64, bottleneck: 256, mask: 0), codeDim: 64, codebook: 512)
        let network = SwapAutoencoder(config: config, seed: 1)
        XCTAssertEqual(network.parameterCount, 4_410_256)
        XCTAssertEqual(network.parameters.first { $0.name == "inter.dense2.weight" }?.value.shape, [8 * 8 * 64, 256])
        XCTAssertFalse(network.parameters.contains { $0.name.hasPrefix("inter.upscale") })
        config.inter = .dense
        XCTAssertEqual(SwapAutoencoder(config: config, seed: 1).parameters.first { $0.name == "inter.dense2.weight" }?.value.shape,
                       [4 * 4 * 64, 256])
    }
}
