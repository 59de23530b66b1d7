import Foundation
import LatentSwapModel
import Neural
import XCTest
@testable import ShotPipeline

/// train.yaml's `optimizer`, `lr_dropout` and `warmup`, through TrainRunner's options to the optimiser.
final class TrainOptimizerConfigTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-trainopt-\(UUID().uuidString)")
        try TrainFixtures.makeProject(at: folder, faces: 1)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func options(_ extra: String) throws -> TrainOptions {
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: extra)
        return try TrainRunner(config: TrainConfig.load(yaml, displayName: "train.yaml"), codec: PoolingCodec()).options
    }

    func testKeysReachTheOptimiser() throws {
        let plain = try options("")
        XCTAssertEqual(plain.optimizer, .adam)
        XCTAssertNil(plain.lrDropout)
        XCTAssertEqual(plain.warmupIterations, 0)
        XCTAssertNil(SwapTrainer.optimizerFactory(plain)([]).updateProbability)

        let o = try options("optimizer: adabelief\nlr_dropout: on\nwarmup: 500\nweight_decay: 0.01")
        XCTAssertEqual(o.optimizer, .adabelief)
        XCTAssertEqual(o.lrDropout, 0.3)
        XCTAssertEqual(o.warmupIterations, 500)
        let optimizer = SwapTrainer.optimizerFactory(o)([])
        XCTAssertTrue(optimizer is AdaBelief)
        XCTAssertTrue(optimizer.decoupledWeightDecay)
        XCTAssertEqual(optimizer.updateProbability, 0.3)
        XCTAssertEqual(optimizer.dropoutSeed, 3)
        XCTAssertEqual(try options("lr_dropout: 0.5").lrDropout, 0.5)
        XCTAssertNil(try options("lr_dropout: off").lrDropout)
    }

    func testBadValuesNameTheLine() throws {
        for (extra, message) in [
            ("optimizer: sgd", "train.yaml:16: optimizer: unknown value 'sgd' (expected one of adam, adabelief)"),
            ("lr_dropout: 0", "train.yaml:16: lr_dropout: the probability of applying an update must be above 0 (off: no dropout)"),
            ("lr_dropout: 1.5", "train.yaml:16: lr_dropout: 1.5 is out of range (expected 0.0 to 1.0)"),
            ("warmup: -1", "train.yaml:16: warmup: -1 is out of range (expected 0 to 2147483647)"),
        ] {
            XCTAssertThrowsError(try options(extra)) { XCTAssertEqual("\($0)", message) }
        }
    }
}
