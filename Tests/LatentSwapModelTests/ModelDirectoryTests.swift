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
        let config = SwapModelConfig(dims: .init(encoder: 64, decoder: 64, bottleneck: 256),
                                     codec: .init(id: "taef2", sha256: "", channels: 32), resolution: 256)
        let model = SwapAutoencoder(config: config, seed: 1)
        // encoder.in alone: 32*64*9 weights + 64 biases.
        XCTAssertEqual(model.parameters.first?.value.count, 32 * 64 * 9)
        XCTAssertGreaterThan(model.parameterCount, 1_000_000)
        // The first conv at 32x32: 2 * 32*9 * 64 * 1024 FLOPs; the total is more.
        XCTAssertGreaterThan(model.flopsPerSample, 2 * 288 * 64 * 1024)
        var pixel = config
        pixel.extraStages = 3
        pixel.codec.channels = 3
        XCTAssertGreaterThan(SwapAutoencoder(config: pixel, seed: 1).flopsPerSample, 10 * model.flopsPerSample)
    }
}
