import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import Support
import XCTest
@testable import ShotPipeline

/// `plateswap train` below the CLI: latent cache, crop variants, runner, previews, resume.
final class TrainRunnerTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-trainrun-\(UUID().uuidString)")
        try TrainFixtures.makeProject(at: folder)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testLatentCacheEncodesOnlyNewOrChangedFaces() throws {
        let codec = PoolingCodec()
        let actor = folder.appendingPathComponent("facesets/actor")
        let variants = CropVariants(flip: true, warped: 1)
        let latents = try FaceSetLatents(folder: actor, codec: codec, size: 64, variants: variants)
        let first = try latents.load(name: "actor")
        XCTAssertEqual([first.cached, first.encoded], [0, 5])
        XCTAssertEqual(codec.encodedImages, 15)
        XCTAssertEqual(first.set.faces.count, 5)
        XCTAssertEqual(first.set.faces[0].count, 3)
        XCTAssertEqual(first.set.faces[0][0].latent.shape, [4, 8, 8])
        XCTAssertEqual(first.set.faces[0][0].mask.shape, [1, 8, 8])
        XCTAssertTrue(FileManager.default.fileExists(atPath: actor.appendingPathComponent("latents/taef2-aaaaaaaaaaaaaaaa/64px/000000.safetensors").path))

        let again = try latents.load(name: "actor")
        XCTAssertEqual([again.cached, again.encoded], [5, 0])
        XCTAssertEqual(codec.encodedImages, 15)
        XCTAssertEqual(again.set.faces.map { $0.map(\.latent) }, first.set.faces.map { $0.map(\.latent) })

        // One changed crop: only that face is encoded again.
        var random = SeededRandom(seed: 77)
        let (crop, _) = TrainFixtures.face(size: 64, hue: [0.2, 0.9, 0.2], random: &random)
        try PNGFile.write(crop, to: actor.appendingPathComponent("faces/000003.png"))
        let changed = try latents.load(name: "actor")
        XCTAssertEqual([changed.cached, changed.encoded], [4, 1])
        XCTAssertNotEqual(changed.set.faces[3][0].latent, first.set.faces[3][0].latent)
        XCTAssertEqual(changed.set.faces[2][0].latent, first.set.faces[2][0].latent)

        // Other codec weights never reuse these latents; other variant settings neither.
        let other = try FaceSetLatents(folder: actor, codec: PoolingCodec(sha: String(repeating: "b", count: 64)), size: 64, variants: variants)
        XCTAssertEqual(try other.load(name: "actor").encoded, 5)
        let noFlip = try FaceSetLatents(folder: actor, codec: codec, size: 64, variants: CropVariants(flip: false, warped: 1))
        XCTAssertEqual(try noFlip.load(name: "actor").encoded, 5)
    }

    func testCropVariantsMirrorWarpAndDownsampleMasks() throws {
        var random = SeededRandom(seed: 5)
        let (crop, maskRGB) = TrainFixtures.face(size: 64, hue: [0.9, 0.5, 0.3], random: &random)
        let mask = maskRGB.selecting(["R"])
        let variants = CropVariants(flip: true, warped: 2)
        XCTAssertEqual(variants.count, 4)
        let plain = variants.render(index: 0, face: "a.png", crop: crop, mask: mask, size: 64)
        XCTAssertEqual(plain.crop, crop)
        let mirrored = variants.render(index: 1, face: "a.png", crop: crop, mask: mask, size: 64)
        for y in [0, 17, 63] {
            for x in [0, 5, 40, 63] {
                XCTAssertEqual(mirrored.crop.planes[0][y * 64 + x], crop.planes[0][y * 64 + 63 - x], accuracy: 1e-6)
            }
        }
        let warped = variants.render(index: 2, face: "a.png", crop: crop, mask: mask, size: 64)
        XCTAssertEqual(warped.crop, variants.render(index: 2, face: "a.png", crop: crop, mask: mask, size: 64).crop)
        XCTAssertNotEqual(warped.crop, crop)
        XCTAssertNotEqual(warped.crop, variants.render(index: 2, face: "b.png", crop: crop, mask: mask, size: 64).crop)
        // A small warp keeps most of the face where it was.
        let overlap = zip(warped.mask.planes[0], mask.planes[0]).filter { $0 > 0.5 && $1 > 0.5 }.count
        XCTAssertGreaterThan(Double(overlap), 0.8 * Double(mask.planes[0].filter { $0 > 0.5 }.count))
        // A 128 px crop shrinks to 64.
        let big = crop.resized(width: 128, height: 128)
        XCTAssertEqual(variants.render(index: 0, face: "a.png", crop: big, mask: big.selecting(["R"]), size: 64).crop.width, 64)

        let plane: [Float] = (0..<256).map { Float(($0 / 16) < 8 ? 1 : 0) }
        XCTAssertEqual(FaceSetLatents.boxAverage(plane, size: 16, factor: 8), [1, 1, 0, 0])
    }

    func runner(_ yaml: URL, _ overrides: TrainRunner.Overrides = .init(), signals: StopSignals = StopSignals()) throws -> TrainRunner {
        try TrainRunner(config: TrainConfig.load(yaml, displayName: "train.yaml"), overrides: overrides, codec: PoolingCodec(),
                        signals: signals)
    }

    func tensors(_ model: String) throws -> [String: Tensor] {
        try SafeTensorsFile(url: folder.appendingPathComponent("\(model)/weights.safetensors")).allTensors()
    }

    func testPretrainOnAPoolThenWarmStartKeepsEncoderAndDecodersAndRestartsTheInter() throws {
        for (name, seed) in [("p1", 21), ("p2", 22), ("p3", 23)] {
            try TrainFixtures.makeFaceSet(at: folder.appendingPathComponent("pool/\(name)"), count: 3, hue: [0.6, 0.7, 0.8], seed: UInt64(seed))
        }
        let pretrainYAML = folder.appendingPathComponent("pretrain.yaml")
        try """
            model: generic.plateswap
            pool: [pool/p1, pool/p2, pool/p3]
            codec: taef2
            resolution: 64
            archetype: df
            dims: {encoder: 8, decoder: 8, bottleneck: 16}
            vq: {enabled: true, codebook_size: 32, code_dim: 8}
            batch_size: 4
            learning_rate: 2.0e-3
            stop: {iterations: 6}
            save_every: 10
            preview_every: 0
            seed: 3
            augment: {flip: true, warped_variants: 1}
            """.write(to: pretrainYAML, atomically: true, encoding: .utf8)
        // Without --pretrain a pool-only yaml has no pair to train.
        XCTAssertThrowsError(try runner(pretrainYAML).run()) { XCTAssertTrue("\($0)".contains("--pretrain"), "\($0)") }
        let pretrained = try runner(pretrainYAML, .init(pretrain: true)).run()
        XCTAssertEqual(pretrained.state.iteration, 6)
        let generic = try tensors("generic.plateswap")

        let yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: "init_from: generic.plateswap\ndims: {encoder: 8, decoder: 8, bottleneck: 16}",
                                                    iterations: 1)
        var text = try String(contentsOf: yaml, encoding: .utf8)
        text = text.replacingOccurrences(of: "dims: {encoder: 8, decoder: 8, bottleneck: 16}\n", with: "", options: [], range: text.range(of: "dims: {encoder: 8, decoder: 8, bottleneck: 16}\n"))
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        _ = try runner(yaml).run()
        // The checkpoint saved before the first step is the warm start.
        let slot = folder.appendingPathComponent("actor.plateswap/backups/iteration-000000000/weights.safetensors")
        let start = try SafeTensorsFile(url: slot).allTensors()
        var kept = 0
        for (name, value) in start {
            if name.hasPrefix("inter.") {
                XCTAssertNotEqual(value, generic[name], "\(name) must start afresh")
            } else if !name.hasPrefix("vq.") {
                XCTAssertEqual(value, generic[name], "\(name) must come from the pretrained model")
                kept += 1
            }
        }
        XCTAssertGreaterThan(kept, 10)
        // Another architecture is refused before training, naming init_from.
        let other = try TrainFixtures.writeTrainYAML(in: folder, extra: "init_from: generic.plateswap\nmodel: other.plateswap", iterations: 1)
        var otherText = try String(contentsOf: other, encoding: .utf8)
        otherText = otherText.replacingOccurrences(of: "model: actor.plateswap\n", with: "").replacingOccurrences(of: "encoder: 8,", with: "encoder: 4,")
        try otherText.write(to: other, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runner(other).run()) { XCTAssertTrue("\($0)".contains("init_from"), "\($0)") }
    }

    func testHoldoutIsScoredAtEveryPreviewIntoState() throws {
        try TrainFixtures.makeFaceSet(at: folder.appendingPathComponent("facesets/actor-holdout"), count: 2, hue: [0.9, 0.7, 0.6], seed: 9)
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: "holdout: facesets/actor-holdout", iterations: 20)
        let outcome = try runner(yaml).run()
        XCTAssertEqual(outcome.state.quality.map(\.iteration), [10, 20])
        for q in outcome.state.quality {
            XCTAssertEqual(q.faces, 2)
            XCTAssertTrue(q.psnr.isFinite && q.psnr > 5, "\(q)")
            XCTAssertTrue(q.ssim > 0 && q.ssim <= 1, "\(q)")
            XCTAssertTrue(q.detail.isFinite && q.gms > 0 && q.gms <= 1 && q.checkerboard.isFinite, "\(q)")
        }
        // The records reach state.json.
        let saved = try ModelDirectory(url: folder.appendingPathComponent("actor.plateswap")).loadCheckpoint(optimizer: nil).state
        XCTAssertEqual(saved.quality, outcome.state.quality)
        // A holdout that is the source set itself is refused, naming the line.
        let same = try TrainFixtures.writeTrainYAML(in: folder, extra: "holdout: facesets/actor")
        XCTAssertThrowsError(try TrainConfig.load(same, displayName: "train.yaml")) { error in
            XCTAssertTrue("\(error)".contains("train.yaml:16: holdout"), "\(error)")
        }
    }

    /// `source:` and `target:` take lists: every set's faces train the identity; a set on both
    /// sides, or a holdout among the sources, is refused.
    func testSourceAndTargetTakeListsOfFaceSets() throws {
        try TrainFixtures.makeFaceSet(at: folder.appendingPathComponent("facesets/actor2"), count: 3, hue: [0.9, 0.7, 0.6], seed: 11)
        try TrainFixtures.makeFaceSet(at: folder.appendingPathComponent("facesets/plate"), count: 2, hue: [0.5, 0.6, 0.9], seed: 12)
        var yaml = try TrainFixtures.writeTrainYAML(in: folder, iterations: 2)
        var text = try String(contentsOf: yaml, encoding: .utf8)
            .replacingOccurrences(of: "source: facesets/actor\n", with: "source: [facesets/actor, facesets/actor2]\n")
            .replacingOccurrences(of: "target: facesets/stunt\n", with: "target:\n  - facesets/stunt\n  - facesets/plate\n")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        let sets = try runner(yaml).latents()
        XCTAssertEqual(sets.source.faces.count, 5 + 3)
        XCTAssertEqual(sets.target.faces.count, 5 + 2)
        XCTAssertEqual(try runner(yaml).run().state.iteration, 2)

        text = text.replacingOccurrences(of: "  - facesets/plate\n", with: "  - facesets/actor2\n")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainConfig.load(yaml, displayName: "train.yaml")) { error in
            XCTAssertTrue("\(error)".contains("is both a source and a target face set"), "\(error)")
        }
        yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: "holdout: facesets/actor2")
        text = try String(contentsOf: yaml, encoding: .utf8)
            .replacingOccurrences(of: "source: facesets/actor\n", with: "source: [facesets/actor, facesets/actor2]\n")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainConfig.load(yaml, displayName: "train.yaml")) { error in
            XCTAssertTrue("\(error)".contains("holdout"), "\(error)")
        }
    }

    /// `train --score` evaluates the saved model and changes nothing in its directory.
    func testScoreEvaluatesTheSavedModelWithoutTraining() throws {
        try TrainFixtures.makeFaceSet(at: folder.appendingPathComponent("facesets/actor-holdout"), count: 2, hue: [0.9, 0.7, 0.6], seed: 9)
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: "holdout: facesets/actor-holdout", iterations: 10)
        _ = try runner(yaml).run()
        let model = folder.appendingPathComponent("actor.plateswap")
        let saved = try ModelDirectory(url: model).loadCheckpoint(optimizer: nil).state
        func listing() throws -> [String: Date] {
            var files: [String: Date] = [:]
            for case let url as URL in FileManager.default.enumerator(at: model, includingPropertiesForKeys: [.contentModificationDateKey])! {
                files[url.path] = try url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate
            }
            return files
        }
        let before = try listing()
        let scored = try runner(yaml, .init(scoreOnly: true)).run()
        XCTAssertEqual(scored.state, saved)
        XCTAssertEqual(scored.state.iteration, 10)
        XCTAssertEqual(try listing(), before, "scoring writes nothing into the model directory")
        // A damaged checkpoint is not scored through a backup: the error names both (exit 2).
        let weights = model.appendingPathComponent("weights.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0xff
        try bytes.write(to: weights)
        XCTAssertThrowsError(try runner(yaml, .init(scoreOnly: true)).run()) { error in
            XCTAssertTrue("\(error)".contains("--score") && "\(error)".contains("backups/iteration-"), "\(error)")
            XCTAssertEqual((error as? ExitStatusError)?.exitStatus, 2)
        }
    }

    func testRunTrainsWritesPreviewsAndResumesBitIdentically() throws {
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, iterations: 20)
        let straight = try runner(yaml).run()
        XCTAssertEqual(straight.state.iteration, 20)
        XCTAssertNil(straight.signal)
        let preview = try PNGFile.read(folder.appendingPathComponent("actor.plateswap/previews/iteration-000000020.png"))
        // Four faces under a two-line header (iteration, column labels) of 5x7 text at scale 2.
        XCTAssertEqual([preview.width, preview.height], [5 * 64, 4 * 64 + 2 * 18])
        XCTAssertGreaterThan(preview.planes[0][0..<(18 * preview.width)].filter { $0 > 0.5 }.count, 20, "iteration label drawn")
        let model = try SwapModel.load(directory: folder.appendingPathComponent("actor.plateswap"))
        XCTAssertEqual(model.cropSize, 64)
        XCTAssertEqual(model.codecName, "taef2")
        XCTAssertEqual(model.faceType, "whole_face")
        let history = straight.state.lossHistory
        XCTAssertLessThan(history.last!.loss, history.first!.loss)

        // The same run stopped at 8 and resumed to 20 ends bit-identical.
        try FileManager.default.moveItem(at: folder.appendingPathComponent("actor.plateswap"),
                                         to: folder.appendingPathComponent("straight.plateswap"))
        let first = try runner(yaml, .init(iterations: 8)).run()
        XCTAssertEqual(first.state.iteration, 8)
        let resumed = try runner(yaml, .init(resume: true)).run()
        XCTAssertEqual(resumed.state.iteration, 20)
        XCTAssertEqual(try tensors("actor.plateswap"), try tensors("straight.plateswap"))
        XCTAssertEqual(resumed.state.lossHistory, straight.state.lossHistory)

        // A stop signal saves and reports it; nothing is trained after it.
        let signals = StopSignals()
        signals.trigger(SIGTERM)
        let stopped = try runner(yaml, .init(iterations: 40, resume: true), signals: signals).run()
        XCTAssertEqual(stopped.signal, SIGTERM)
        XCTAssertEqual(stopped.state.iteration, 20)
        XCTAssertEqual(StopSignals.exitStatus(SIGTERM), 143)
    }

    func testVQOffTrainsTheSameNetworkWithoutCodebook() throws {
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, iterations: 3)
        var text = try String(contentsOf: yaml, encoding: .utf8)
        text = text.replacingOccurrences(of: "vq: {enabled: true, codebook_size: 32, code_dim: 8}", with: "vq: off")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        let outcome = try runner(yaml).run()
        XCTAssertEqual(outcome.state.iteration, 3)
        let names = try tensors("actor.plateswap").keys
        XCTAssertFalse(names.contains("vq.codebook"))
        XCTAssertTrue(names.contains("encoder.down0.weight"))
        XCTAssertTrue(names.contains("inter.dense1.weight"))
    }

    func testMinutesStopTheRunAndWeightDecayPicksAdamW() throws {
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: "weight_decay: 0.01", iterations: 1000)
        let r = try runner(yaml, .init(minutes: 1e-9))
        XCTAssertNil(r.options.stopIterations)
        XCTAssertEqual(r.options.weightDecay, 0.01)
        let outcome = try r.run()
        XCTAssertLessThanOrEqual(outcome.state.iteration, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("actor.plateswap/state.json").path))
        XCTAssertTrue(SwapTrainer.optimizerFactory(r.options)([]) is AdamW)
    }

    func testPixelLossNeedsATrainableDecoder() throws {
        for extra in ["pixel_loss: {every: 2}", "feature_loss: {every: 2, weight: 0.5, faces: 1}"] {
            let yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: extra, iterations: 2)
            XCTAssertThrowsError(try runner(yaml).run()) { error in
                XCTAssertTrue("\(error)".contains("pixel_loss and feature_loss need a codec whose decoder can train through"), "\(error)")
            }
        }
        let config = try TrainConfig.load(try TrainFixtures.writeTrainYAML(in: folder, extra: "feature_loss: {every: 4, weight: 0.5, faces: 1}"))
        XCTAssertEqual([config.options.featureLossEvery, config.options.featureLossFaces], [4, 1])
        XCTAssertEqual(config.options.featureLossWeight, 0.5)
        let options = try runner(try TrainFixtures.writeTrainYAML(in: folder, extra: "feature_loss: {every: 4, weight: 0.5, faces: 1}")).options
        XCTAssertEqual([options.featureLossEvery, options.featureLossFaces], [4, 1])
        // pixel_loss.dssim reaches the trainer; feature maps are not images, so DSSIM is refused there.
        let dssim = try runner(try TrainFixtures.writeTrainYAML(in: folder, extra: "pixel_loss: {every: 4, dssim: 2.5}")).options
        XCTAssertEqual(dssim.pixelLossDSSIM, 2.5)
        XCTAssertThrowsError(try TrainConfig.load(try TrainFixtures.writeTrainYAML(in: folder, extra: "feature_loss: {every: 4, dssim: 1}"))) { error in
            XCTAssertTrue("\(error)".contains("dssim: unknown key"), "\(error)")
        }
    }

    func testBadFaceSetsAndModelDirectoriesAreClearErrors() throws {
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, iterations: 2)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("facesets/stunt/masks/000002.png"))
        XCTAssertThrowsError(try runner(yaml).run()) { error in
            XCTAssertTrue("\(error)".contains("facesets/stunt/faceset.json") && "\(error)".contains("masks/000002.png is missing"), "\(error)")
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("facesets/stunt"))
        try TrainFixtures.makeFaceSet(at: folder.appendingPathComponent("facesets/stunt"), count: 3, hue: [0.5, 0.6, 0.9], seed: 2,
                                      faceType: .head)
        XCTAssertThrowsError(try runner(yaml).run()) { error in
            XCTAssertTrue("\(error)".contains("whole_face") && "\(error)".contains("head"), "\(error)")
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("facesets/stunt/faceset.json"))
        XCTAssertThrowsError(try runner(yaml).run()) { error in
            XCTAssertTrue("\(error)".contains("faceset.json: missing"), "\(error)")
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("facesets/stunt"))
        try TrainFixtures.makeFaceSet(at: folder.appendingPathComponent("facesets/stunt"), count: 3, hue: [0.5, 0.6, 0.9], seed: 2)
        XCTAssertThrowsError(try runner(yaml, .init(resume: true)).run()) { error in
            XCTAssertTrue("\(error)".contains("has no checkpoint"), "\(error)")
        }
        XCTAssertEqual(try runner(yaml).run().state.iteration, 2)
        XCTAssertThrowsError(try runner(yaml).run()) { error in
            XCTAssertTrue("\(error)".contains("already holds a model; use --resume"), "\(error)")
        }
    }
}
