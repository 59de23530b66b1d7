import FaceAlign
import Foundation
import LatentSwapModel
import XCTest
@testable import ShotPipeline

/// shot.yaml / train.yaml validation: every error names the file, line and key path.
final class ShotConfigTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models/actor.plateswap"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("facesets/actor"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("facesets/stunt"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    let full = """
        shot: SQ010_SH0040
        plate:
          path: plates/plate.####.exr
          frames: 1001-1010x3
          colorspace: acescg
          part: beauty
        output:
          path: out/swap.####.exr
          compression: zips
          pixel_type: float
          layers: [rgba, mask, raw]
          preview: out/review.mp4
        model:
          path: models/actor.plateswap
          codec: taef2
        face:
          select: point:[640, 360]
          min_size: 48
          size: 256
          smoothing: {min_cutoff: 0.5, beta: 0.1}
        blend:
          color_transfer: lct
          mask_erode: -2
          mask_blur: 6
        on_error: skip

        """

    func load(_ text: String) throws -> ShotConfig {
        let url = dir.appendingPathComponent("shot.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try ShotConfig.load(url, displayName: "shot.yaml")
    }

    func assertError(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(text), file: file, line: line) { error in
            XCTAssertTrue(error is ConfigError, "\(error)", file: file, line: line)
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    func testFullConfigParsesWithPathsRelativeToTheYaml() throws {
        let config = try load(full)
        XCTAssertEqual(config.shot, "SQ010_SH0040")
        XCTAssertEqual(config.plate.path, dir.appendingPathComponent("plates/plate.####.exr").standardizedFileURL)
        XCTAssertEqual(config.plate.frames, [1001, 1004, 1007, 1010])
        XCTAssertEqual(config.plate.colorspace?.builtIn, .acescg)
        XCTAssertEqual(config.plate.part, "beauty")
        XCTAssertEqual(config.output.compression, .zips)
        XCTAssertEqual(config.output.pixelType, .float)
        XCTAssertEqual(config.output.layers, [.rgba, .mask, .raw])
        XCTAssertEqual(config.output.preview?.lastPathComponent, "review.mp4")
        XCTAssertEqual(config.output.report, dir.appendingPathComponent("out/report.json").standardizedFileURL)
        XCTAssertEqual(config.face.select, .point(x: 640, y: 360))
        XCTAssertEqual(config.face.size, 256)
        XCTAssertEqual(config.face.smoothingMinCutoff, 0.5)
        XCTAssertEqual(config.blend.colorTransfer, .lct)
        XCTAssertEqual(config.blend.maskErode, -2)
        XCTAssertEqual(config.onError, .skip)
    }

    func testDefaults() throws {
        let config = try load("""
            plate: {path: plates/plate.####.exr}
            output: {path: out/swap.%04d.exr}
            model: {path: models/actor.plateswap}
            """)
        XCTAssertEqual(config.shot, "shot")
        XCTAssertNil(config.plate.frames)
        XCTAssertEqual(config.output.compression, .piz)
        XCTAssertEqual(config.output.layers, [.rgba, .mask])
        XCTAssertNil(config.model.codec)
        XCTAssertEqual(config.blend.colorTransfer, .rct)
        XCTAssertEqual(config.onError, .fail)
        XCTAssertEqual(config.face.select, .largest)
    }

    func testUnknownValueNamesKeyPathAndLine() {
        assertError(full.replacingOccurrences(of: "compression: zips", with: "compression: zipp"),
                    "shot.yaml:9: output.compression: unknown value 'zipp' (expected one of none, rle, zips, zip, piz, pxr24, b44, b44a, dwaa, dwab)")
    }

    func testUnknownKeyIsAnErrorWithSuggestion() {
        assertError(full.replacingOccurrences(of: "mask_blur: 6", with: "mask_blurr: 6"),
                    "shot.yaml:24: blend.mask_blurr: unknown key (expected one of color_transfer, mask_erode, mask_blur, follow_plate, learned_mask; did you mean 'mask_blur'?)")
    }

    func testWrongTypes() {
        assertError(full.replacingOccurrences(of: "min_size: 48", with: "min_size: big"),
                    "shot.yaml:18: face.min_size: expected an integer, got 'big'")
        assertError(full.replacingOccurrences(of: "min_size: 48", with: "min_size: \"48\""),
                    "shot.yaml:18: face.min_size: expected an integer, got '48'")
        assertError(full.replacingOccurrences(of: "layers: [rgba, mask, raw]", with: "layers: rgba"),
                    "shot.yaml:11: output.layers: expected a list, got 'rgba'")
        assertError(full.replacingOccurrences(of: "  select: point:[640, 360]", with: "  select: [1, 2]"),
                    "shot.yaml:17: face.select: expected a string, got a list")
    }

    func testImpossibleValues() {
        assertError(full.replacingOccurrences(of: "size: 256", with: "size: 260"),
                    "shot.yaml:19: face.size: 260 is not a multiple of 8 (the codec works at 1/8 resolution)")
        assertError(full.replacingOccurrences(of: "mask_blur: 6", with: "mask_blur: -1"),
                    "shot.yaml:24: blend.mask_blur: -1 is out of range (expected 0 to 256)")
        assertError(full.replacingOccurrences(of: "frames: 1001-1010x3", with: "frames: 1010-1001"),
                    "shot.yaml:4: plate.frames: frame range '1010-1001', item 1: last frame 1001 comes before the first frame 1010")
        assertError(full.replacingOccurrences(of: "smoothing: {min_cutoff: 0.5, beta: 0.1}", with: "smoothing: {min_cutoff: .nan}"),
                    "shot.yaml:20: face.smoothing.min_cutoff: expected a finite number, got '.nan'")
        assertError(full.replacingOccurrences(of: "path: out/swap.####.exr", with: "path: out/swap.exr"),
                    "shot.yaml:8: output.path: the output path needs a frame number pattern such as swap.####.exr")
    }

    func testMissingFilesAndKeys() {
        let moved = full.replacingOccurrences(of: "path: models/actor.plateswap", with: "path: models/missing.plateswap")
        XCTAssertThrowsError(try load(moved)) { error in
            XCTAssertTrue("\(error)".hasPrefix("shot.yaml:14: model.path: 'models/missing.plateswap' does not exist"), "\(error)")
        }
        assertError(full.replacingOccurrences(of: "path: plates/plate.####.exr", with: "path: nowhere/plate.####.exr"),
                    "shot.yaml:3: plate.path: the plate folder \(dir.standardizedFileURL.path)/nowhere does not exist")
        assertError("""
            plate: {path: plates/plate.####.exr}
            model: {path: models/actor.plateswap}
            """, "shot.yaml:1: output: missing required key")
    }

    func testYamlSyntaxErrorHasLine() {
        XCTAssertThrowsError(try load("plate:\n  path: [unclosed\nmodel: x\n")) { error in
            guard let error = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(error.line, 0)
            XCTAssertTrue(error.message.hasPrefix("YAML syntax error"), error.message)
        }
        XCTAssertThrowsError(try ShotConfig.load(dir.appendingPathComponent("absent.yaml"), displayName: "absent.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("absent.yaml: cannot read the file"), "\(error)")
        }
    }

    func testFaceSelectForms() throws {
        XCTAssertEqual(try load(full.replacingOccurrences(of: "point:[640, 360]", with: "track:3")).face.select, .track(3))
        // One grammar with `extract --select` (FaceSelection(parsing:)): every spelling gives the same selection.
        for text in ["largest", "track:3", "track: 3", "point:[10, 20.5]", "point:10,20.5", "point: 10, 20.5"] {
            let yaml = full.replacingOccurrences(of: "select: point:[640, 360]", with: "select: \"\(text)\"")
            XCTAssertEqual(try load(yaml).face.select, try FaceSelection(parsing: text), text)
        }
        XCTAssertEqual(try load(full.replacingOccurrences(of: "point:[640, 360]", with: "point:10,20.5")).face.select,
                       .point(x: 10, y: 20.5))
        XCTAssertEqual(try load(full.replacingOccurrences(of: "select: point:[640, 360]", with: "select: {point: [10, 20.5]}")).face.select,
                       .point(x: 10, y: 20.5))
        assertError(full.replacingOccurrences(of: "point:[640, 360]", with: "biggest"),
                    "shot.yaml:17: face.select: unknown value 'biggest' (expected largest, track:N or point:[x,y])")
    }
}

/// Frame lists and movie-plate keys of shot.yaml (the frame syntax itself is PlateIO's FrameRange).
final class ShotConfigPlateTests: XCTestCase {
    func testFrameListFormsAndMoviePlateKeys() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-plate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("m.plateswap"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir.appendingPathComponent("plates/clip.mov").path, contents: Data([0]))
        defer { try? FileManager.default.removeItem(at: dir) }
        func load(_ plate: String) throws -> ShotConfig {
            let url = dir.appendingPathComponent("shot.yaml")
            try "plate: \(plate)\noutput: {path: out/s.####.exr}\nmodel: {path: m.plateswap}\n".write(to: url, atomically: true, encoding: .utf8)
            return try ShotConfig.load(url, displayName: "shot.yaml")
        }
        XCTAssertEqual(try load("{path: plates/p.####.exr, frames: \"1005,1001, 1003-1004\"}").plate.frames, [1001, 1003, 1004, 1005])
        XCTAssertEqual(try load("{path: plates/p.####.exr, frames: [3, 1, 3]}").plate.frames, [1, 3])
        XCTAssertEqual(try load("{path: plates/p.####.exr, frames: 7}").plate.frames, [7])
        XCTAssertEqual(try load("{path: plates/p.####.exr, frames: -3--1}").plate.frames, [-3, -2, -1])
        let movie = try load("{path: plates/clip.mov, first_frame: 1, frame_rate: 23.976}")
        XCTAssertEqual(movie.plate.firstFrame, 1)
        XCTAssertEqual(movie.plate.frameRate, 23.976)
        XCTAssertEqual(try load("{path: plates/clip.mov}").plate.firstFrame, 1001)
        XCTAssertThrowsError(try load("{path: plates/p.####.exr, first_frame: 1}")) { error in
            XCTAssertEqual("\(error)", "shot.yaml:1: plate.first_frame: first_frame is for movie plates; a sequence's frame numbers are in its file names")
        }
        XCTAssertThrowsError(try load("{path: plates/p.####.exr, frames: 1-99999999}")) { error in
            XCTAssertTrue("\(error)".hasPrefix("shot.yaml:1: plate.frames: frame range '1-99999999', item 1: range more than"), "\(error)")
        }
        XCTAssertThrowsError(try load("{path: plates/p.####.exr, frame_rate: 0}"))
    }
}

final class TrainConfigTests: XCTestCase {
    func testParsesAndValidates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-train-\(UUID().uuidString)")
        for sub in ["facesets/actor", "facesets/stunt"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("train.yaml")
        let text = """
            model: models/actor.plateswap
            source: facesets/actor
            target: facesets/stunt
            resolution: 128
            archetype: df
            dims: {encoder: 32, decoder: 48, bottleneck: 128}
            vq: {enabled: false, codebook_size: 512, code_dim: 32, commitment: 0.5, ema_decay: 0.9}
            batch_size: 4
            learning_rate: 1.0e-4
            stop: {minutes: 2.5}
            seed: 7
            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        let config = try TrainConfig.load(url, displayName: "train.yaml")
        XCTAssertEqual(config.model, dir.appendingPathComponent("models/actor.plateswap").standardizedFileURL)
        XCTAssertEqual(config.architecture.resolution, 128)
        XCTAssertEqual(config.architecture.archetype, .df)
        try text.replacingOccurrences(of: "archetype: df\n", with: "").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try TrainConfig.load(url).architecture.archetype, .liae, "the measured default")
        XCTAssertEqual(config.architecture.dims, .init(encoder: 32, decoder: 48, bottleneck: 128, mask: 16))
        XCTAssertEqual(config.architecture.vq.enabled, false)
        XCTAssertEqual(config.architecture.vq.codebookSize, 512)
        XCTAssertEqual(config.architecture.vq, SwapModelConfig.VQ(enabled: false, codebookSize: 512, codeDim: 32, commitment: 0.5, emaDecay: 0.9),
                       "train.yaml's vq is the model's own VQ settings")
        XCTAssertEqual(config.options.stopIterations, nil)
        XCTAssertEqual(config.options.stopMinutes, 2.5)
        XCTAssertEqual(config.options.learningRate, 1e-4)
        XCTAssertEqual(config.options.seed, 7)

        func expect(_ from: String, _ to: String, _ message: String, line: UInt = #line) throws {
            try text.replacingOccurrences(of: from, with: to).write(to: url, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try TrainConfig.load(url, displayName: "train.yaml"), line: line) { error in
                XCTAssertEqual("\(error)", message, line: line)
            }
        }
        XCTAssertEqual(config.variants, CropVariants(flip: true, warped: 2))
        XCTAssertEqual(config.options.randomWarp, RandomWarp())
        XCTAssertEqual(config.options.augmentation, .off, "no latent warp")
        XCTAssertEqual(config.architecture.backgroundWeight, 0.25)
        XCTAssertEqual(config.architecture.inter, .dense)
        XCTAssertEqual(config.architecture.dims.mask, 16)
        // The dense inter halves the 1/8 latents three times: 64 px steps.
        try expect("resolution: 128", "resolution: 96",
                   "train.yaml:4: resolution: 96 is not a multiple of 64: the dense inter halves the 1/8 latents three times")
        try text.replacingOccurrences(of: "resolution: 128", with: "resolution: 96\ninter: conv").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try TrainConfig.load(url).architecture.inter, .conv)
        XCTAssertEqual(config.architecture.initialisation, .he)
        try text.replacingOccurrences(of: "resolution: 128", with: "resolution: 128\ninter: dense_grid\ninit: pytorch")
            .write(to: url, atomically: true, encoding: .utf8)
        let reference = try TrainConfig.load(url).architecture
        XCTAssertEqual([reference.inter.rawValue, reference.initialisation.rawValue], ["dense_grid", "pytorch"])
        try expect("resolution: 128", "resolution: 128\ninit: torch",
                   "train.yaml:5: init: unknown value 'torch' (expected one of he, pytorch)")
        for (vq, enabled) in [("vq: off", false), ("vq: on", true), ("vq: false", false)] {
            try text.replacingOccurrences(of: "vq: {enabled: false, codebook_size: 512, code_dim: 32, commitment: 0.5, ema_decay: 0.9}", with: vq)
                .write(to: url, atomically: true, encoding: .utf8)
            XCTAssertEqual(try TrainConfig.load(url).architecture.vq.enabled, enabled, vq)
        }
        try (text + "\naugment: {flip: false, warped_variants: 4, latent_warp: false}\nbackground_weight: 0.25\npixel_loss: {every: 5, weight: 0.5}\nweight_decay: 0.01")
            .write(to: url, atomically: true, encoding: .utf8)
        let augmented = try TrainConfig.load(url)
        XCTAssertEqual(augmented.variants, CropVariants(flip: false, warped: 4))
        XCTAssertEqual(augmented.options.augmentation, .off)
        XCTAssertEqual(augmented.architecture.backgroundWeight, 0.25)
        XCTAssertEqual([augmented.options.pixelLossEvery, augmented.options.pixelLossFaces], [5, 2])
        XCTAssertEqual(augmented.options.pixelLossWeight, 0.5)
        XCTAssertEqual(augmented.options.weightDecay, 0.01)
        XCTAssertEqual(config.options.weightDecay, 0)
        try expect("seed: 7", "seed: 7\naugment: {warped_variants: 17}", "train.yaml:12: augment.warped_variants: 17 is out of range (expected 0 to 16)")
        try expect("vq: {enabled: false, codebook_size: 512, code_dim: 32, commitment: 0.5, ema_decay: 0.9}", "vq: maybe",
                   "train.yaml:7: vq: expected a mapping, got 'maybe'")
        try expect("resolution: 128", "resolution: 100", "train.yaml:4: resolution: 100 is not a multiple of 32 (latents are 1/8 size and the model halves them twice)")
        try expect("resolution: 128", "resolution: 208", "train.yaml:4: resolution: 208 is not a multiple of 32 (latents are 1/8 size and the model halves them twice)")
        try expect("archetype: df\n", "archetype: dfl\n", "train.yaml:5: archetype: unknown value 'dfl' (expected one of df, liae)")
        try expect("ema_decay: 0.9", "ema_decay: 1", "train.yaml:7: vq.ema_decay: ema_decay must be below 1 (1 never updates the codebook)")
        try expect("stop: {minutes: 2.5}", "stop: {hours: 2}", "train.yaml:10: stop.hours: unknown key (expected one of iterations, minutes, training_minutes)")
        try expect("stop: {minutes: 2.5}", "stop: {training_minutes: 0}", "train.yaml:10: stop.training_minutes: training_minutes must be positive")
        try text.replacingOccurrences(of: "stop: {minutes: 2.5}", with: "stop: {training_minutes: 1.5}").write(to: url, atomically: true, encoding: .utf8)
        let byTrainingClock = try TrainConfig.load(url).options
        XCTAssertEqual(byTrainingClock.stopTrainingMinutes, 1.5)
        XCTAssertNil(byTrainingClock.stopMinutes)
        XCTAssertNil(byTrainingClock.stopIterations)
        try expect("target: facesets/stunt", "target: facesets/none", "train.yaml:3: target: 'facesets/none' does not exist (looked for \(dir.standardizedFileURL.path)/facesets/none)")
        try expect("seed: 7", "sed: 7", "train.yaml:11: sed: unknown key (expected one of model, source, target, codec, resolution, archetype, dims, vq, batch_size, learning_rate, stop, save_every, preview_every, seed, augment, background_weight, pixel_loss, weight_decay, inter, icnr, init, mask_weight, eyes_mouth_weight, holdout, init_from, pool, feature_loss, optimizer, lr_dropout, warmup, source_match; did you mean 'seed'?)")
    }
}
