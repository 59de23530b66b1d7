import FaceAlign
import XCTest
@testable import ShotPipeline

/// `source_match`: the actor's faces nearest the plate performer's expressions and head poses,
/// from FaceMesh landmarks (the golden mesh with its mouth opened and its head turned).
final class SourceMatchTests: XCTestCase {
    /// The golden mesh turned `yaw` degrees, its lower inner lip moved down by `gap` eye distances.
    func face(gap: Float, yaw: Float = 0) throws -> [[Float]] {
        var mesh = try PoseCoverageTests.goldenMesh()
        let eyes = hypot(mesh[33][0] - mesh[263][0], mesh[33][1] - mesh[263][1])
        // The mesh's own inner-lip gap closed first, so `gap` is the whole opening.
        mesh[14] = mesh[13]
        mesh[14][1] += gap * eyes
        let (c, s) = (cos(yaw * .pi / 180), sin(yaw * .pi / 180))
        return mesh.map { p -> [Float] in
            let x: Float = p[0] * c - p[2] * s, z: Float = p[0] * s + p[2] * c
            return [x, p[1], z]
        }
    }

    func document(_ landmarks: [[[Float]]?]) -> FaceSetDocument {
        var document = FaceSetDocument(faceType: .wholeFace, size: 64)
        for (i, points) in landmarks.enumerated() {
            let detected = DetectedFace(box: FaceBox(x1: 0, y1: 0, x2: 64, y2: 64), score: 0.99,
                                        points5: Array(repeating: SIMD2<Float>(0, 0), count: 5))
            var entry = FaceSetDocument.Entry(file: "faces/\(i).png", mask: "masks/\(i).png", source: "s.png", frame: i, faceIndex: 0,
                                              track: 0, face: detected, matrix: [[1, 0, 0], [0, 1, 0]], size: 64, faceType: .wholeFace)
            entry.landmarks = points ?? []
            document.faces.append(entry)
        }
        return document
    }

    func testExpressionMeasuresTheMouthAndMirrorsThePose() throws {
        let open = try XCTUnwrap(FaceExpression(landmarks: try face(gap: 0.2)))
        XCTAssertEqual(open.lipGap, 0.2, accuracy: 1e-4)
        XCTAssertEqual(try XCTUnwrap(FaceExpression(landmarks: try face(gap: 0))).lipGap, 0, accuracy: 1e-6)
        XCTAssertGreaterThan(open.mouthWidth, 0.3)
        XCTAssertGreaterThan(open.rightEyeOpen, 0)
        let turned = try XCTUnwrap(FaceExpression(landmarks: try face(gap: 0, yaw: 20)))
        XCTAssertEqual(turned.mirrored.pose.yaw, -turned.pose.yaw)
        XCTAssertEqual(turned.mirrored.rightEyeOpen, turned.leftEyeOpen)
        XCTAssertNil(FaceExpression(landmarks: [[0, 0, 0]]))
    }

    func testKeepsTheFacesNearestTheTargetsMouth() throws {
        let gaps: [Float] = [0.30, 0.02, 0.25, 0.20, 0.0, 0.15, 0.10, 0.05]
        let sources = [document(try gaps.map { try face(gap: $0) }), document([nil])]
        let targets = [document([try face(gap: 0.01), try face(gap: 0)])]
        let selection = try XCTUnwrap(SourceMatch(keep: 0.25).select(sources: sources, targets: targets, mirrored: true))
        XCTAssertEqual(selection.kept[0], [1, 4], "the two closed mouths of eight")
        XCTAssertEqual(selection.kept[1], [0], "a face without landmarks cannot be judged and stays")
        XCTAssertEqual(selection.keptCount, 3)
        XCTAssertTrue(selection.description.contains("training on 3 of 9 source faces"), selection.description)
        XCTAssertTrue(selection.description.contains("1 faces without FaceMesh landmarks"), selection.description)
        let half = try XCTUnwrap(SourceMatch(keep: 0.5).select(sources: sources, targets: targets, mirrored: true))
        XCTAssertEqual(half.kept[0], [1, 4, 6, 7])
        XCTAssertNil(SourceMatch(keep: 0.5).select(sources: sources, targets: [document([nil])], mirrored: true),
                     "no target landmarks: every face")
    }

    func testAMirroredFaceMatchesTheOppositeTurnWhenTrainingFlips() throws {
        let sources = [document([try face(gap: 0, yaw: -20), try face(gap: 0, yaw: 0)])]
        let targets = [document([try face(gap: 0, yaw: 20)])]
        let flipping = try XCTUnwrap(SourceMatch(keep: 0.5).select(sources: sources, targets: targets, mirrored: true))
        XCTAssertEqual(flipping.kept[0], [0], "the mirror image of a -20 degree face is a 20 degree face")
        let plain = try XCTUnwrap(SourceMatch(keep: 0.5).select(sources: sources, targets: targets, mirrored: false))
        XCTAssertEqual(plain.kept[0], [1])
    }

    /// A performer turned beyond the actor: with the pose counted fully the actor's turned, talking
    /// face is nearest; with it weighed down, her frontal closed-mouth face.
    func testThePoseWeightLetsTheExpressionDecide() throws {
        let sources = [document([try face(gap: 0.6, yaw: 15), try face(gap: 0, yaw: 0), try face(gap: 0.1, yaw: 0)])]
        let targets = [document([try face(gap: 0, yaw: 15)])]
        let full = try XCTUnwrap(SourceMatch(keep: 1.0 / 3).select(sources: sources, targets: targets, mirrored: true))
        XCTAssertEqual(full.kept[0], [0])
        let light = try XCTUnwrap(SourceMatch(keep: 1.0 / 3, poseWeight: 0.05).select(sources: sources, targets: targets, mirrored: true))
        XCTAssertEqual(light.kept[0], [1])
    }

    func testTrainYamlKeyAndTheRunnerTrainsOnTheChosenFaces() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-sourcematch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TrainFixtures.makeProject(at: folder, faces: 6)
        func config(_ extra: String) throws -> TrainConfig {
            try TrainConfig.load(try TrainFixtures.writeTrainYAML(in: folder, extra: extra, iterations: 1), displayName: "train.yaml")
        }
        XCTAssertNil(try config("").sourceMatch)
        XCTAssertNil(try config("source_match: off").sourceMatch)
        XCTAssertNil(try config("source_match: 1").sourceMatch)
        XCTAssertThrowsError(try config("source_match: 2")) {
            XCTAssertEqual("\($0)", "train.yaml:16: source_match: 2 is out of range (expected 0.01 to 1.0)")
        }
        XCTAssertEqual(try config("source_match: {keep: 0.3, pose_weight: 0.5}").sourceMatch, SourceMatch(keep: 0.3, poseWeight: 0.5))
        XCTAssertThrowsError(try config("source_match: {pose_weight: 0.5}")) {
            XCTAssertTrue("\($0)".contains("train.yaml:16") && "\($0)".contains("keep"), "\($0)")
        }
        XCTAssertThrowsError(try config("source_match: {keep: 0.3, weight: 1}")) {
            XCTAssertTrue("\($0)".contains("unknown key"), "\($0)")
        }
        let matched = try config("source_match: 0.5")
        XCTAssertEqual(matched.sourceMatch, SourceMatch(keep: 0.5))
        // The actor talks (mouth open in faces 0, 2, 4), the plate performer's mouth is closed.
        for (urls, gaps) in [(matched.sources, [Float(0.3), 0.01, 0.25, 0.02, 0.2, 0]), (matched.targets, [0, 0, 0, 0, 0, 0])] {
            let file = urls[0].appendingPathComponent("faceset.json")
            var document = try FaceSetDocument.read(from: file)
            for i in document.faces.indices { document.faces[i].landmarks = try face(gap: gaps[i]) }
            try document.encoded().write(to: file)
        }
        let runner = try TrainRunner(config: matched, codec: PoolingCodec())
        let data = try runner.latents()
        XCTAssertEqual(data.source.faces.count, 3)
        XCTAssertEqual(data.target.faces.count, 6, "the targets are never thinned")
        XCTAssertEqual(data.poses?.source.count, 6, "the chosen faces' poses and their mirror images")
        let all = try TrainRunner(config: try config(""), codec: PoolingCodec()).latents()
        XCTAssertEqual(all.source.faces.count, 6)
        // The closed-mouth faces 1, 3, 5 are the ones kept: their latents are those of faces 1, 3, 5.
        for (kept, face) in zip(data.source.faces, [1, 3, 5]) {
            XCTAssertEqual(kept[0].latent.data, all.source.faces[face][0].latent.data)
        }
    }
}
