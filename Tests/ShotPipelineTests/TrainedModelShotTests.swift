import FaceAlign
import Foundation
import LatentSwapModel
import Neural
import PlateIO
import XCTest
@testable import ShotPipeline

/// The whole pipeline on real plate frames (../shared/data/plates/s18_dwaa_crop: data window inside
/// the display window) with a tiny swap model initialised here and the real TAEF2 codec: tracking,
/// crop, encode, swap, decode, composite, EXR out. Also the loader's refusals.
final class TrainedModelShotTests: XCTestCase {
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared").standardizedFileURL
    }()
    let models = ModelSearchPath(folders: [TrainedModelShotTests.shared.appendingPathComponent("models")])
    var dir: URL!

    override func setUpWithError() throws { dir = try SyntheticShot.temporaryFolder("trained") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A random-initialised 64 px model for `codec` (its sha256 as the training codec).
    func makeModel(_ name: String, codecSHA256: String) throws -> URL {
        let config = SwapModelConfig(archetype: .df, dims: .init(encoder: 8, decoder: 8, bottleneck: 16),
                                     vq: .init(enabled: false), codec: .init(id: "taef2", sha256: codecSHA256, channels: 32),
                                     resolution: 64)
        let url = dir.appendingPathComponent(name)
        var state = TrainState(iteration: 1, seed: 3, learningRate: 1e-4)
        state.quality = [.init(iteration: 1, faces: 2, psnr: 20, ssim: 0.7, detail: 0.1, gms: 0.9, checkerboard: 0.5)]
        try ModelDirectory(url: url).save(model: SwapAutoencoder(config: config, seed: 3), optimizer: nil, state: state)
        return url
    }

    func shot(model: String, extra: String = "") throws -> ShotConfig {
        let url = dir.appendingPathComponent("shot.yaml")
        try """
            shot: REAL
            plate: {path: \(Self.shared.path)/data/plates/s18_dwaa_crop/plate.####.exr, frames: 1001-1002}
            output: {path: out/swap.####.exr, compression: zip, layers: [rgba, mask, raw]}
            model: {path: \(model)}
            \(extra)
            """.write(to: url, atomically: true, encoding: .utf8)
        return try ShotConfig.load(url)
    }

    /// The model's training_poses.json against the tracked plate: the s18 performer is turned
    /// (about 13 degrees of FaceMesh yaw), so frontal actor poses leave both frames outside, and
    /// poses around hers cover them.
    func testFramesTurnedBeyondTheTrainingPosesAreNamed() throws {
        let codec = try CodecLoader.load(.taef2, searchPath: models)
        let model = try makeModel("posed.plateswap", codecSHA256: try codec.identity.sha256)
        let config = try shot(model: "posed.plateswap")
        let swapper = try SwapperLoader.load(config, identity: false, searchPath: models)
        let frontal = (-5...5).flatMap { yaw in (0...8).map { HeadPose(yaw: Float(yaw), pitch: Float($0)) } }
        try TrainingPoses(source: frontal, mirrored: true).write(into: model)
        let report = try ShotRunner(config: config, faces: TrackedFaces(searchPath: models), swapper: swapper).run()
        XCTAssertEqual(report.poseOutsideTraining, [1001, 1002])
        XCTAssertEqual(try RunReport.read(dir.appendingPathComponent("out/report.json")).poseOutsideTraining, [1001, 1002])

        let around = (-30...30).flatMap { yaw in (-10...20).map { HeadPose(yaw: Float(yaw), pitch: Float($0)) } }
        try TrainingPoses(source: around, mirrored: false).write(into: model)
        let covered = try ShotRunner(config: config, faces: TrackedFaces(searchPath: models), swapper: swapper).run(.init(force: true))
        XCTAssertEqual(covered.poseOutsideTraining, [])
        // An identity swap has no model poses to compare with.
        let identity = try ShotRunner(config: config, faces: TrackedFaces(searchPath: models), swapper: IdentitySwapper(cropSize: 64)).run(.init(force: true))
        XCTAssertNil(identity.poseOutsideTraining)
    }

    func testRealFramesThroughATinyModelAndTheRealCodec() throws {
        let codec = try CodecLoader.load(.taef2, searchPath: models)
        _ = try makeModel("tiny.plateswap", codecSHA256: try codec.identity.sha256)
        // An untrained mask head predicts about half a face everywhere: the face mask alone here.
        let config = try shot(model: "tiny.plateswap", extra: "blend: {learned_mask: false}")
        let swapper = try SwapperLoader.load(config, identity: false, searchPath: models)
        XCTAssertEqual(swapper.cropSize, 64)
        let report = try ShotRunner(config: config, faces: TrackedFaces(searchPath: models), swapper: swapper).run()
        XCTAssertEqual(report.done, [1001, 1002])
        XCTAssertEqual(report.noFace, [], "the plate performer is found on both frames")
        XCTAssertNil(report.poseOutsideTraining, "a model without training_poses.json")
        XCTAssertEqual(report.model, swapper.identity)
        // The model's held-out score travels into the report, with this run's latent checkerboard.
        XCTAssertEqual(report.quality?.modelHoldout?.ssim, 0.7)
        let checkerboard = try XCTUnwrap(report.quality?.latentCheckerboard)
        XCTAssertTrue(checkerboard.isFinite && checkerboard > 0, "\(checkerboard)")
        XCTAssertEqual(try RunReport.read(dir.appendingPathComponent("out/report.json")).quality, report.quality)
        for stage in ["read", "faces", "crop", "encode", "swap", "decode", "composite", "write"] {
            XCTAssertGreaterThan(report.secondsPerFrame[stage] ?? 0, 0, "stage \(stage) timed")
        }
        for frame in [1001, 1002] {
            let (plate, plateHeader) = try ExrImage.read(Self.shared.appendingPathComponent(
                String(format: "data/plates/s18_dwaa_crop/plate.%04d.exr", frame)))
            let (out, header) = try ExrImage.read(dir.appendingPathComponent(String(format: "out/swap.%04d.exr", frame)))
            XCTAssertEqual(header.dataWindow, plateHeader.dataWindow)
            XCTAssertEqual(header.displayWindow, plateHeader.displayWindow)
            XCTAssertEqual(header.attributes["testdata:source"], plateHeader.attributes["testdata:source"])
            XCTAssertEqual(header.attributes["plateswap:model"], .string(swapper.identity))
            let mask = out[channel: "swap.A"]
            let inside = (0..<out.pixelCount).filter { mask[$0] > 0.9 }
            XCTAssertGreaterThan(inside.count, 2000, "a face-sized mask")
            let changed = inside.filter { abs(out[channel: "G"][$0] - plate[channel: "G"][$0]) > 1e-3 }.count
            XCTAssertGreaterThan(changed, inside.count / 2, "the untrained model's face replaces the plate's")
            XCTAssertTrue(out[channel: "swap.R"].allSatisfy(\.isFinite))
            for c in ["R", "G", "B", "A"] {
                let (p, o) = (plate[channel: c], out[channel: c])
                for i in 0..<plate.pixelCount where mask[i] == 0 {
                    XCTAssertEqual(p[i].bitPattern, o[i].bitPattern, "frame \(frame) \(c)[\(i)] outside the mask")
                }
            }
        }
    }

    func testLoaderRefusesAnotherCodecOtherWeightsAndAnotherCropSize() throws {
        let codec = try CodecLoader.load(.taef2, searchPath: models)
        _ = try makeModel("tiny.plateswap", codecSHA256: try codec.identity.sha256)
        _ = try makeModel("other.plateswap", codecSHA256: String(repeating: "0", count: 64))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty.plateswap"), withIntermediateDirectories: true)
        func refusal(_ config: ShotConfig) -> String {
            do {
                _ = try SwapperLoader.load(config, identity: false, searchPath: models)
                return "loaded"
            } catch let error as PipelineError {
                guard case .configuration = error else { return "not a configuration error: \(error)" }
                return "\(error)"
            } catch { return "unexpected: \(error)" }
        }
        XCTAssertTrue(refusal(try shot(model: "tiny.plateswap", extra: "face: {size: 128}"))
            .hasPrefix("face.size: 128 differs from the model's resolution 64"))
        let asked = refusal(try shot(model: "tiny.plateswap").withCodec(.taesd))
        XCTAssertTrue(asked.hasPrefix("model.codec: the shot asks for taesd but tiny.plateswap was trained with taef2"), asked)
        let weights = refusal(try shot(model: "other.plateswap"))
        XCTAssertTrue(weights.hasPrefix("model.codec: ") && weights.contains("trained with codec taef2"), weights)
        let empty = refusal(try shot(model: "empty.plateswap"))
        XCTAssertTrue(empty.hasPrefix("model.path: cannot load the swap model"), empty)
        XCTAssertTrue(empty.contains("empty.plateswap"), empty)
    }
}

extension ShotConfig {
    func withCodec(_ codec: CodecKind) -> ShotConfig {
        var copy = self
        copy.model.codec = codec
        return copy
    }
}
