import FaceAlign
import XCTest
@testable import ShotPipeline

/// The pose-coverage check: which plate faces no actor face (or mirror image) shows in a similar pose.
final class PoseCoverageTests: XCTestCase {
    func testCoveredFacesMirrorsAndTheWarning() throws {
        let actor = [HeadPose(yaw: -10, pitch: 0), HeadPose(yaw: 2, pitch: 4), HeadPose(yaw: 8, pitch: 1)]
        // 12 is 4 degrees from 8 (not covered); -9 is within 3 of the mirror of 8 only when flipping.
        let plate = [HeadPose(yaw: 12, pitch: 1), HeadPose(yaw: -9, pitch: 2), HeadPose(yaw: 1, pitch: 3), HeadPose(yaw: 10, pitch: -2)]
        let flipped = try XCTUnwrap(PoseCoverage(training: TrainingPoses(source: actor, mirrored: true), target: plate))
        XCTAssertEqual([flipped.faces, flipped.covered], [4, 4], "12 and 10 are near the mirror image of -10")
        XCTAssertFalse(flipped.isShort)
        let plain = try XCTUnwrap(PoseCoverage(training: TrainingPoses(source: actor, mirrored: false), target: plate))
        XCTAssertEqual(plain.covered, 2, "12 and 10 have no actor face within 3 degrees without mirrors")
        XCTAssertEqual(plain.sourceYaw, [-10, 8])
        XCTAssertEqual(flipped.sourceYaw, [-10, 10])
        XCTAssertEqual(plain.targetYaw, [-9, 12])
        XCTAssertTrue(plain.isShort)
        XCTAssertTrue(plain.description.contains("2 of 4 target faces") && plain.description.contains("add footage of the actor"), plain.description)
        XCTAssertFalse(flipped.description.contains("add footage"))
        XCTAssertNil(PoseCoverage(training: TrainingPoses(source: [], mirrored: true), target: plate))
    }

    /// train.yaml's face sets: the runner reads their landmarks (here a golden mesh turned for the
    /// plate performer) and `--score`'s JSON carries the result.
    func testTrainRunnerReadsThePosesOfItsFaceSets() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-posecoverage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TrainFixtures.makeProject(at: folder)
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, iterations: 1)
        let config = try TrainConfig.load(yaml)
        let mesh = try Self.goldenMesh()
        for (urls, yaw) in [(config.sources, Float(0)), (config.targets, Float(25))] {
            for url in urls {
                let file = url.appendingPathComponent("faceset.json")
                var document = try FaceSetDocument.read(from: file)
                for i in document.faces.indices {
                    let a = (yaw + Float(i)) * .pi / 180
                    document.faces[i].landmarks = mesh.map { [$0[0] * cos(a) - $0[2] * sin(a), $0[1], $0[0] * sin(a) + $0[2] * cos(a)] }
                }
                try document.encoded().write(to: file)
            }
        }
        let runner = try TrainRunner(config: config, codec: PoolingCodec())
        let coverage = try XCTUnwrap(try runner.poseCoverage())
        XCTAssertEqual(coverage.covered, 0, "a plate turned 25 degrees further than every actor face")
        XCTAssertGreaterThan(coverage.faces, 0)
        XCTAssertTrue(coverage.isShort)
        // Training keeps the actor's poses (and their mirror images) in the model for `run`.
        _ = try runner.run()
        let kept = try XCTUnwrap(try TrainingPoses.read(from: config.model))
        let actorFaces = try FaceSetDocument.read(from: config.sources[0].appendingPathComponent("faceset.json")).faces.count
        XCTAssertEqual(kept.source.count, 2 * actorFaces, "each actor face and its mirror image")
        XCTAssertTrue(kept.covers(HeadPose(yaw: kept.source[0][0] + 1, pitch: kept.source[0][1])))
        XCTAssertFalse(kept.covers(HeadPose(yaw: 25, pitch: 0)))
    }

    static func goldenMesh() throws -> [[Float]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/golden/obama.json").standardizedFileURL
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: root)) as? [String: Any])
        let meshes = try XCTUnwrap(json["mediapipe_facemesh"] as? [[[Double]]])
        return meshes[0].map { $0.map(Float.init) }
    }
}
