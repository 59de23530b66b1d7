import XCTest
import Neural
@testable import LatentSwapModel

final class SwapTrainerTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("swaptrainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Applied to every trainer's options (a test's choice of optimiser, dropout, warm-up).
    var tweak: (inout TrainOptions) -> Void = { _ in }

    /// A face set of smooth random latents (an identity = a base pattern plus per-face noise).
    func faceSet(_ name: String, seed: UInt64, faces: Int = 6, channels: Int = 4, size: Int = 8) -> LatentFaceSet {
        let base = SwapFixtures.tensor([channels, size, size], seed: seed)
        let mask = SwapFixtures.mask(1, size, size).reshaped([1, size, size])
        return LatentFaceSet(name: name, faces: (0..<faces).map { i in
            let noise = SwapFixtures.tensor([channels, size, size], seed: seed &+ UInt64(i) &+ 100, std: 0.3)
            return [LatentSample(latent: add(base, noise), mask: mask)]
        })
    }

    func options(iterations: Int, save: Int = 0) -> TrainOptions {
        var o = TrainOptions()
        o.batchSize = 4
        o.learningRate = 3e-3
        o.seed = 5
        o.stopIterations = iterations
        o.saveEvery = save
        o.previewEvery = 0
        o.logEvery = 5
        // Latent warps on (train.yaml's default is off), so resume covers their random draws too.
        o.augmentation = TrainAugmentation()
        tweak(&o)
        return o
    }

    func trainer(_ name: String, vq: Bool = true, iterations: Int, save: Int = 0, resume: Bool = false,
                 archetype: SwapModelConfig.Archetype = .df) throws -> SwapTrainer {
        let config = SwapFixtures.config(archetype, vq: vq, dims: .init(encoder: 4, decoder: 4, bottleneck: 8), codeDim: 4, codebook: 16)
        return try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent(name)), config: config,
                               options: options(iterations: iterations, save: save), resume: resume,
                               source: faceSet("source", seed: 1), target: faceSet("target", seed: 2))
    }

    func weights(_ t: SwapTrainer) -> [String: Tensor] { ModelDirectory.weightTensors(t.model) }

    func testPreviewShowsFacesSpreadOverEachSetAndTwoFacesOfAPool() throws {
        let pool = faceSet("pool", seed: 3, faces: 12)
        let config = SwapFixtures.config(.liae, vq: false, dims: .init(encoder: 4, decoder: 4, bottleneck: 8), codeDim: 4, codebook: 16)
        var o = options(iterations: 1)
        o.previewFaces = 3
        let t = try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent("preview")), config: config,
                                options: o, resume: false, source: pool, target: pool)
        let rows = t.previewLatents().rows
        XCTAssertEqual(rows.count, 3)
        // Column 0 is the target's face, column 2 the source's: faces 0, 4, 8 and 2, 6, 10 of the pool.
        for (row, (target, source)) in zip(rows, [(0, 2), (4, 6), (8, 10)]) {
            XCTAssertEqual(row[0].data, pool.faces[target][0].latent.data)
            XCTAssertEqual(row[2].data, pool.faces[source][0].latent.data)
            XCTAssertNotEqual(row[0].data, row[2].data)
        }
    }

    func testTrainingSecondsLeaveOutPreviewsAndTheirClockStopsTraining() throws {
        // Each preview sleeps 0.2 s: the training clock must not count it, the wall clock does.
        var o = options(iterations: 6)
        o.previewEvery = 1
        let config = SwapFixtures.config(.df, vq: true, dims: .init(encoder: 4, decoder: 4, bottleneck: 8), codeDim: 4, codebook: 16)
        let dir = ModelDirectory(url: folder.appendingPathComponent("clock.plateswap"))
        let t = try SwapTrainer(directory: dir, config: config, options: o, resume: false,
                                source: faceSet("source", seed: 1), target: faceSet("target", seed: 2))
        t.onPreview = { [unowned t] preview in
            Thread.sleep(forTimeInterval: 0.2)
            t.record(quality: .init(iteration: preview.iteration, faces: 1, psnr: 1, ssim: 1, detail: 1, gms: 1, checkerboard: 1))
        }
        let started = Date()
        let state = try t.run()
        let wall = Date().timeIntervalSince(started)
        XCTAssertEqual(state.iteration, 6)
        XCTAssertGreaterThan(state.trainingSeconds, 0)
        XCTAssertLessThan(state.trainingSeconds, wall - 6 * 0.2, "previews counted as training")
        let stamps = state.quality.compactMap(\.trainingSeconds)
        XCTAssertEqual(stamps.count, 6)
        XCTAssertEqual(stamps, stamps.sorted())
        XCTAssertEqual(stamps.last, state.trainingSeconds)
        XCTAssertEqual(try dir.loadCheckpoint(optimizer: nil, allowBackup: false).state.trainingSeconds, state.trainingSeconds)

        // Resumed under a training-minutes stop alone: it stops on its own clock, and the seconds add up.
        var resumed = options(iterations: 6)
        resumed.stopIterations = nil
        resumed.stopTrainingMinutes = 1e-9
        let again = try SwapTrainer(directory: dir, config: config, options: resumed, resume: true,
                                    source: faceSet("source", seed: 1), target: faceSet("target", seed: 2))
        let after = try again.run()
        XCTAssertEqual(after.iteration, 7, "one step passes any positive training-minutes budget, and the second must not start")
        XCTAssertGreaterThan(after.trainingSeconds, state.trainingSeconds)
    }

    func testLossFallsOnASmallSet() throws {
        for (archetype, vq) in [(SwapModelConfig.Archetype.df, true), (.liae, false)] {
            let t = try trainer("fall-\(archetype)-\(vq).plateswap", vq: vq, iterations: 80, archetype: archetype)
            let state = try t.run()
            let history = state.lossHistory
            XCTAssertEqual(history.count, 16)
            let first = history[0].source + history[0].target, last = history.suffix(3).map { $0.source + $0.target }.reduce(0, +) / 3
            XCTAssertLessThan(last, 0.6 * first, "\(archetype) vq \(vq): \(history.map(\.loss))")
            if vq { XCTAssertGreaterThan(history.last!.perplexity, 1.5) }
        }
    }

    func testSaveLoadGivesIdenticalOutputs() throws {
        let t = try trainer("save.plateswap", iterations: 12)
        try t.run()
        let input = SwapFixtures.tensor([2, 4, 8, 8], seed: 42)
        let loaded = try ModelDirectory(url: folder.appendingPathComponent("save.plateswap")).loadModel()
        XCTAssertEqual(loaded.swap(input), t.model.swap(input))
        XCTAssertEqual(loaded.decode(input, as: .target), t.model.decode(input, as: .target))
        XCTAssertEqual(loaded.config, t.model.config)
    }

    func testInterruptedAndResumedRunIsBitIdentical() throws {
        // Adam, then AdaBelief with learning-rate dropout and a warm-up the interruption falls in.
        let variants: [(String, (inout TrainOptions) -> Void)] = [
            ("adam", { _ in }),
            ("adabelief", { $0.optimizer = .adabelief; $0.lrDropout = 0.3; $0.warmupIterations = 10 }),
        ]
        for (name, variant) in variants {
            tweak = variant
            let straight = try trainer("straight-\(name).plateswap", iterations: 14)
            try straight.run()

            let first = try trainer("resumed-\(name).plateswap", iterations: 14)
            var calls = 0
            // Interrupted after 6 iterations, as SIGINT would.
            first.shouldStop = { calls += 1; return calls > 6 }
            XCTAssertEqual(try first.run().iteration, 6)
            let second = try trainer("resumed-\(name).plateswap", iterations: 14, resume: true)
            XCTAssertEqual(second.state.iteration, 6)
            XCTAssertEqual(try second.run().iteration, 14)
            XCTAssertEqual(weights(second), weights(straight), name)
            XCTAssertEqual(second.optimizer.state(), straight.optimizer.state(), name)
            XCTAssertEqual(second.optimizer is AdaBelief, name == "adabelief")
        }
    }

    func testWarmUpRampsTheRateOverTheModelsFirstIterations() {
        var o = TrainOptions()
        o.warmupIterations = 10
        for (iteration, rate) in [(0, 2e-4), (5, 1.2e-3), (9, 2e-3), (10, 2e-3), (500, 2e-3)] as [(Int, Float)] {
            XCTAssertEqual(o.learningRate(base: 2e-3, iteration: iteration), rate, accuracy: 1e-9, "iteration \(iteration)")
        }
        XCTAssertEqual(o.learningRate(base: 2e-3, iteration: 9), 2e-3, "the N-th iteration runs at the base rate exactly")
        o.warmupIterations = 0
        XCTAssertEqual(o.learningRate(base: 2e-3, iteration: 0), 2e-3)
    }

    func testNaNRollsBackToLastCheckpointWithLowerLearningRate() throws {
        // Also during a warm-up: the optimiser runs at the ramped rate while the state keeps the
        // base rate, which the rollback halves; the ramp goes on from the model's iteration.
        for warmup in [0, 100] {
            tweak = { $0.warmupIterations = warmup }
            let t = try trainer("nan-\(warmup).plateswap", iterations: 12, save: 4)
            var fired = false
            var secondsAtFault = 0.0, secondsAfterRollback: Double?
            t.injectFault = { [unowned t] iteration in
                if fired && secondsAfterRollback == nil { secondsAfterRollback = t.state.trainingSeconds }
                if iteration == 9 && !fired { fired = true; secondsAtFault = t.state.trainingSeconds; return true }
                return false
            }
            let state = try t.run()
            XCTAssertEqual(state.iteration, 12)
            XCTAssertEqual(state.rollbacks, 1)
            XCTAssertGreaterThan(try XCTUnwrap(secondsAfterRollback), secondsAtFault, "the rolled-back steps stay on the training clock")
            XCTAssertEqual(state.learningRate, 1.5e-3, accuracy: 1e-9)
            XCTAssertEqual(t.optimizer.learningRate, warmup == 0 ? 1.5e-3 : 1.5e-3 * 12 / 100, accuracy: 1e-9)
            XCTAssertTrue(weights(t).values.allSatisfy { $0.data.allSatisfy(\.isFinite) })
            // The saved checkpoint carries the lowered rate.
            let reloaded = try ModelDirectory(url: folder.appendingPathComponent("nan-\(warmup).plateswap")).loadCheckpoint(optimizer: nil)
            XCTAssertEqual(reloaded.state.learningRate, 1.5e-3, accuracy: 1e-9)
        }
    }

    func testRefusesToOverwriteAndRejectsMismatchedData() throws {
        _ = try trainer("exists.plateswap", iterations: 1)
        XCTAssertThrowsError(try trainer("exists.plateswap", iterations: 1))
        XCTAssertThrowsError(try trainer("missing.plateswap", iterations: 1, resume: true))
        let config = SwapFixtures.config(channels: 5)
        XCTAssertThrowsError(try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent("c.plateswap")), config: config,
                                             options: options(iterations: 1), resume: false,
                                             source: faceSet("s", seed: 1), target: faceSet("t", seed: 2))) { error in
            XCTAssertTrue("\(error)".contains("'s'"), "\(error)")
        }
    }

    func testBatchWarpsOnlyTheInputsAndWeighsUpEyesAndMouth() throws {
        var o = options(iterations: 1)
        o.eyesMouthWeight = 2
        o.augmentation = { var a = TrainAugmentation(); a.maxRotationDegrees = 0; a.maxScale = 0; a.maxShift = 0; return a }()
        // One face whose eyes-and-mouth coverage is the top-left quarter of the latent grid.
        let size = 8, latent = SwapFixtures.tensor([4, size, size], seed: 3), mask = SwapFixtures.mask(1, size, size).reshaped([1, size, size])
        var priority = Tensor.zeros([1, size, size])
        for y in 0..<4 { for x in 0..<4 { priority.data[y * size + x] = 1 } }
        let set = LatentFaceSet(name: "one", faces: [[LatentSample(latent: latent, mask: mask, priority: priority)]])
        let config = SwapFixtures.config(dims: .init(encoder: 4, decoder: 4, bottleneck: 8, mask: 2), codeDim: 4, codebook: 16)
        let t = try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent("b")), config: config, options: o,
                                resume: false, source: set, target: set)
        var random = SeededRandom(seed: 1)
        let batch = t.batch(set, random: &random)
        for b in 0..<o.batchSize {
            // Targets are the cached latents, exactly; inputs are randomly warped copies.
            XCTAssertEqual(Array(batch.target.data[(b * latent.count)..<((b + 1) * latent.count)]), latent.data)
            XCTAssertNotEqual(Array(batch.input.data[(b * latent.count)..<((b + 1) * latent.count)]), latent.data)
            for i in 0..<(size * size) {
                let expected = 0.25 + 0.75 * mask.data[i] + 2 * priority.data[i]
                XCTAssertEqual(batch.weights.data[b * size * size + i], expected, accuracy: 1e-6)
            }
        }
        // Without the random warp the inputs are the targets.
        o.randomWarp = nil
        let plain = try SwapTrainer(directory: ModelDirectory(url: folder.appendingPathComponent("c")), config: config, options: o,
                                    resume: false, source: set, target: set)
        var again = SeededRandom(seed: 1)
        let unwarped = plain.batch(set, random: &again)
        XCTAssertEqual(unwarped.input, unwarped.target)
    }

    func testRandomWarpIsSmoothDeterministicAndKeepsEdges() {
        let warp = RandomWarp()
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9)
        let fieldA = warp.displacement(width: 32, height: 32, random: &a), fieldB = warp.displacement(width: 32, height: 32, random: &b)
        XCTAssertEqual(fieldA.dx, fieldB.dx)
        XCTAssertEqual(fieldA.dy, fieldB.dy)
        // Corners are anchored (DFL keeps the grid's edge points), the inside moves.
        for i in [0, 31, 31 * 32, 32 * 32 - 1] { XCTAssertEqual(fieldA.dx[i], 0); XCTAssertEqual(fieldA.dy[i], 0) }
        var moved = 0
        for seed in 0..<10 as Range<UInt64> {
            var r = SeededRandom(seed: seed)
            let f = warp.displacement(width: 32, height: 32, random: &r)
            if f.dx.contains(where: { abs($0) > 0.2 }) { moved += 1 }
            // Smooth: neighbours differ by far less than the displacement itself can reach.
            for y in 0..<32 { for x in 0..<31 { XCTAssertLessThan(abs(f.dx[y * 32 + x + 1] - f.dx[y * 32 + x]), 2.5) } }
        }
        XCTAssertGreaterThanOrEqual(moved, 8)
    }
}
