import XCTest
import Neural
@testable import LatentSwapModel

final class ModelDirectoryTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swapdir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func save(_ directory: ModelDirectory, iteration: Int, model: SwapAutoencoder) throws {
        try directory.save(model: model, optimizer: Adam(parameters: model.parameters), state: TrainState(iteration: iteration, seed: 1, learningRate: 1e-4))
    }

    func testRotatingBackupsAndFallbackToIntactCheckpoint() throws {
        let directory = ModelDirectory(url: folder.appendingPathComponent("m.plateswap"))
        let model = SwapAutoencoder(config: SwapFixtures.config(vq: true), seed: 1)
        for i in 1...5 { try save(directory, iteration: i * 10, model: model) }
        XCTAssertEqual(directory.backupSlots().map(\.lastPathComponent), ["iteration-000000020", "iteration-000000030", "iteration-000000040"])
        for name in ["config.json", "weights.safetensors", "optimizer.safetensors", "state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(name).path), name)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.previews.path))
        XCTAssertEqual(try directory.loadCheckpoint(optimizer: nil).state.iteration, 50)

        // A damaged weights file fails its hash: the newest backup is used instead.
        let weights = directory.url.appendingPathComponent("weights.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0xff
        try bytes.write(to: weights)
        XCTAssertEqual(try directory.loadCheckpoint(optimizer: nil).state.iteration, 40)
    }

    /// A SIGKILL at any moment of a save (simulated by stopping after each of its steps in turn)
    /// leaves a directory whose newest intact checkpoint is the one before the save or the one
    /// being saved, never less, and the next save after resuming leaves a whole directory again.
    func testASaveInterruptedAtAnyStepLosesNoCheckpoint() throws {
        struct Killed: Error {}
        let first = SwapAutoencoder(config: SwapFixtures.config(vq: true), seed: 1)
        let second = SwapAutoencoder(config: SwapFixtures.config(vq: true), seed: 2)
        // The steps of a save over an existing checkpoint, recorded once.
        var steps: [String] = []
        var recorder = ModelDirectory(url: folder.appendingPathComponent("steps.plateswap"))
        try save(recorder, iteration: 10, model: first)
        recorder.afterSaveStep = { steps.append($0) }
        try save(recorder, iteration: 20, model: second)
        XCTAssertEqual(steps.count, 1 + 4 + 1 + 4, "\(steps)")

        for (index, step) in steps.enumerated() {
            var directory = ModelDirectory(url: folder.appendingPathComponent("kill-\(index).plateswap"))
            try save(directory, iteration: 5, model: first)
            try save(directory, iteration: 10, model: first)
            directory.afterSaveStep = { if $0 == step { throw Killed() } }
            XCTAssertThrowsError(try save(directory, iteration: 20, model: second))
            directory.afterSaveStep = nil
            let loaded = try directory.loadCheckpoint(optimizer: nil)
            XCTAssertTrue([10, 20].contains(loaded.state.iteration), "killed after '\(step)': loads iteration \(loaded.state.iteration)")
            let expected = loaded.state.iteration == 20 ? second : first
            XCTAssertEqual(loaded.model.parameters.map(\.value), expected.parameters.map(\.value), "killed after '\(step)'")
            // Resume and save again: the current checkpoint is whole, the backups too.
            try save(directory, iteration: loaded.state.iteration + 5, model: loaded.model)
            XCTAssertEqual(try directory.loadCheckpoint(optimizer: nil, allowBackup: false).state.iteration, loaded.state.iteration + 5)
            for slot in directory.backupSlots() {
                XCTAssertNoThrow(try ModelDirectory(url: slot).loadCheckpoint(optimizer: nil, allowBackup: false), "\(slot.lastPathComponent) after '\(step)'")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("backups").path).filter { $0.hasPrefix(".") }
            XCTAssertEqual(leftovers, [], "after '\(step)'")
        }
    }

    func testBadConfigNamesFileAndField() throws {
        let directory = ModelDirectory(url: folder.appendingPathComponent("bad.plateswap"))
        let model = SwapAutoencoder(config: SwapFixtures.config(), seed: 1)
        try save(directory, iteration: 1, model: model)
        let configURL = directory.url.appendingPathComponent("config.json")
        var text = try String(contentsOf: configURL, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"resolution\" : 64", with: "\"resolution\" : 60")
        try text.write(to: configURL, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try directory.loadConfig()) { error in
            XCTAssertTrue("\(error)".contains("config.json") && "\(error)".contains("resolution"), "\(error)")
        }
        try "{\"format\": 3}".write(to: configURL, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try directory.loadConfig()) { error in
            XCTAssertTrue("\(error)".contains("config.json"), "\(error)")
        }
        XCTAssertThrowsError(try ModelDirectory(url: folder.appendingPathComponent("none")).loadModel())
    }

    func testParameterCountAndFlops() {
        let config = SwapModelConfig(archetype: .df, dims: .init(encoder: 64, decoder: 64, bottleneck: 256, mask: 16),
                                     codec: .init(id: "taef2", sha256: "", channels: 32), resolution: 256)
        let model = SwapAutoencoder(config: config, seed: 1)
        // encoder.down0 alone: 32*64*25 weights (5x5, as DFL), then its 64 biases.
        XCTAssertEqual(model.parameters.first?.value.shape, [64, 32, 5, 5])
        // The dense inter: 4x4x256 -> 256 and 256 -> 4x4x64 weights.
        let names = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value.shape) })
        XCTAssertEqual(names["inter.dense1.weight"], [256, 4 * 4 * 256])
        XCTAssertEqual(names["inter.dense2.weight"], [4 * 4 * 64, 256])
        XCTAssertEqual(names["decoder_src.out_convm.weight"], [1, 16, 1, 1])
        XCTAssertGreaterThan(model.parameterCount, 1_000_000)
        // The first conv at 16x16 outputs: 2 * 32*25 * 64 * 256 FLOPs; the total is more.
        XCTAssertGreaterThan(model.flopsPerSample, 2 * 800 * 64 * 256)
        var pixel = config
        pixel.extraStages = 3
        pixel.codec.channels = 3
        XCTAssertGreaterThan(SwapAutoencoder(config: pixel, seed: 1).flopsPerSample, 10 * model.flopsPerSample)
        var conv = config
        conv.inter = .conv
        // The conv layout's encoder.in: 32*64*9 weights.
        XCTAssertEqual(SwapAutoencoder(config: conv, seed: 1).parameters.first?.value.count, 32 * 64 * 9)
    }

    func testICNRStartsEveryPixelShuffleAsANearestUpsampling() {
        var config = SwapModelConfig(archetype: .df, dims: .init(encoder: 8, decoder: 8, bottleneck: 16, mask: 4),
                                     codec: .init(id: "t", sha256: "", channels: 4), resolution: 128)
        let model = SwapAutoencoder(config: config, seed: 2)
        var random = SeededRandom(seed: 4)
        let latents = random.normalTensor([1, 4, 16, 16])
        // Before any training the output of each shuffle is constant over 2x2 blocks: the decoder's
        // upscales add no checkerboard of their own (the residual blocks then mix neighbours).
        let code = model.inters[0].forward(model.encoder.forward(latents))
        let shuffled = SwapChain(Array(model.decoders[0].stages.prefix(3))).forward(code)
        XCTAssertEqual(shuffled.shape, [1, 16, 8, 8])
        XCTAssertEqual(blockVariation(shuffled), 0, accuracy: 1e-6)
        XCTAssertEqual(blockVariation(code), 0, accuracy: 1e-6, "the inter's own upscale")
        config.icnr = false
        let plain = SwapAutoencoder(config: config, seed: 2)
        let plainShuffled = SwapChain(Array(plain.decoders[0].stages.prefix(3))).forward(plain.inters[0].forward(plain.encoder.forward(latents)))
        XCTAssertGreaterThan(blockVariation(plainShuffled), 1e-3)
    }

    /// Largest difference between a value and the top-left value of its 2x2 block.
    func blockVariation(_ x: Tensor) -> Float {
        let (n, c, h, w) = x.nchw("blockVariation")
        var worst: Float = 0
        for plane in 0..<(n * c) { for y in 0..<h { for xx in 0..<w {
            let v = x.data[plane * h * w + y * w + xx], corner = x.data[plane * h * w + (y & ~1) * w + (xx & ~1)]
            worst = max(worst, abs(v - corner))
        } } }
        return worst
    }
}
