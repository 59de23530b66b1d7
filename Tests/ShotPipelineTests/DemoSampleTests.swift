import Foundation
import XCTest
@testable import ShotPipeline

/// samples/demo/*.yaml must parse with the keys ShotConfig/TrainConfig accept, and their relative
/// paths must reach the shared data beside the checkout. The yamls are copied into a temporary
/// checkout layout (tmp/repo/samples/demo, tmp/shared -> the real shared folder) where the outputs
/// scripts/demo makes first (face sets, model) exist as empty folders.
final class DemoSampleTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shared: URL = {
        if let env = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: env) }
        return repo.appendingPathComponent("../shared").standardizedFileURL
    }()

    var root: URL!
    var demo: URL { root.appendingPathComponent("repo/samples/demo") }

    override func setUpWithError() throws {
        let plates = Self.shared.appendingPathComponent("data/plates/s18_piz")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: plates.path), "shared data not found at \(Self.shared.path)")
        root = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-demo-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: demo, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: root.appendingPathComponent("shared"), withDestinationURL: Self.shared)
        for name in ["shot.yaml", "train.yaml", "heldout.yaml"] {
            try fm.copyItem(at: Self.repo.appendingPathComponent("samples/demo/\(name)"), to: demo.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    /// Makes the folders scripts/demo creates before each step.
    func makeOutputs(_ paths: [String]) throws {
        for path in paths {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("repo/\(path)"), withIntermediateDirectories: true)
        }
    }

    func testTrainYamlParsesAndNamesTheDemoFaceSets() throws {
        try makeOutputs(["out/demo/facesets/actor", "out/demo/facesets/plate", "out/demo/facesets/plate-shot", "out/demo/facesets/actor-holdout"])
        let config = try TrainConfig.load(demo.appendingPathComponent("train.yaml"), displayName: "train.yaml")
        XCTAssertEqual(config.holdout?.resolvingSymlinksInPath().path,
                       root.appendingPathComponent("repo/out/demo/facesets/actor-holdout").standardizedFileURL.resolvingSymlinksInPath().path)
        let out = root.appendingPathComponent("repo/out/demo").standardizedFileURL.resolvingSymlinksInPath()
        XCTAssertEqual(config.sources[0].resolvingSymlinksInPath().path, out.appendingPathComponent("facesets/actor").path)
        XCTAssertEqual(config.targets.map { $0.resolvingSymlinksInPath().path },
                       ["facesets/plate", "facesets/plate-shot"].map { out.appendingPathComponent($0).path })
        XCTAssertEqual(config.model.standardizedFileURL.lastPathComponent, "demo.plateswap")
        XCTAssertEqual(config.architecture.resolution, 256)
        XCTAssertTrue(config.architecture.vq.enabled)
        XCTAssertNotNil(config.options.stopMinutes, "the demo must stop after a bounded time")
    }

    func testShotYamlReachesTheSharedPlateAndTheDemoModel() throws {
        try makeOutputs(["out/demo/demo.plateswap"])
        let config = try ShotConfig.load(demo.appendingPathComponent("shot.yaml"), displayName: "shot.yaml")
        let plateFolder = config.plate.path.deletingLastPathComponent().resolvingSymlinksInPath()
        XCTAssertEqual(plateFolder.path,
                       Self.shared.appendingPathComponent("data/plates/s18_piz").resolvingSymlinksInPath().path)
        // Every listed frame is on disk.
        let frames = try XCTUnwrap(config.plate.frames)
        XCTAssertEqual(frames, Array(1001...1024))
        for frame in frames {
            let file = plateFolder.appendingPathComponent(String(format: "plate.%04d.exr", frame))
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), file.path)
        }
        // Outputs stay inside the checkout's gitignored out/ folder.
        let out = root.appendingPathComponent("repo/out").resolvingSymlinksInPath().path + "/"
        for url in [config.output.path, config.output.report, config.output.tracks] + (config.output.preview.map { [$0] } ?? []) {
            XCTAssertTrue(url.standardizedFileURL.resolvingSymlinksInPath().path.hasPrefix(out), url.path)
        }
        XCTAssertEqual(config.model.path.standardizedFileURL.lastPathComponent, "demo.plateswap")
    }

    func testTrainAndShotAgreeOnCropSizeAndCodec() throws {
        try makeOutputs(["out/demo/facesets/actor", "out/demo/facesets/plate", "out/demo/facesets/plate-shot", "out/demo/facesets/actor-holdout",
                         "out/demo/demo.plateswap"])
        let train = try TrainConfig.load(demo.appendingPathComponent("train.yaml"), displayName: "train.yaml")
        let shot = try ShotConfig.load(demo.appendingPathComponent("shot.yaml"), displayName: "shot.yaml")
        XCTAssertEqual(shot.face.size, train.architecture.resolution)
        XCTAssertEqual(shot.model.codec, train.codec)
        XCTAssertEqual(shot.model.path.standardizedFileURL.resolvingSymlinksInPath().path,
                       train.model.standardizedFileURL.resolvingSymlinksInPath().path)
    }

    func testHeldoutYamlSwapsTheActorsUnseenMovieFramesWithTheDemoModel() throws {
        try makeOutputs(["out/demo/demo.plateswap"])
        let config = try ShotConfig.load(demo.appendingPathComponent("heldout.yaml"), displayName: "heldout.yaml")
        XCTAssertEqual(config.plate.path.resolvingSymlinksInPath().path,
                       Self.shared.appendingPathComponent("data/footage/talking_d6.mp4").resolvingSymlinksInPath().path)
        // Movie frames 1-9 (first_frame 1001): none of them is in the actor's face set (frames 0, 31, ...).
        XCTAssertEqual(config.plate.frames, Array(1002...1010))
        XCTAssertEqual(config.model.path.standardizedFileURL.lastPathComponent, "demo.plateswap")
        let out = root.appendingPathComponent("repo/out").resolvingSymlinksInPath().path + "/"
        XCTAssertTrue(config.output.path.standardizedFileURL.resolvingSymlinksInPath().path.hasPrefix(out))
    }
}
