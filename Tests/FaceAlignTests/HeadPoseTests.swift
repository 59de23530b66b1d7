import XCTest
@testable import FaceAlign

/// Head yaw and pitch from MediaPipe's real 468-point mesh (golden obama), turned in 3D by known angles.
final class HeadPoseTests: XCTestCase {
    /// The mesh turned about the vertical axis (yaw) or the horizontal one (pitch) by `degrees`.
    func turned(_ mesh: [SIMD3<Float>], yaw: Float = 0, pitch: Float = 0) -> [[Float]] {
        let (a, b) = (yaw * .pi / 180, pitch * .pi / 180)
        return mesh.map { p in
            let x = p.x * cos(a) - p.z * sin(a), z1 = p.x * sin(a) + p.z * cos(a)
            let y = p.y * cos(b) - z1 * sin(b), z = p.y * sin(b) + z1 * cos(b)
            return [x, y, z]
        }
    }

    func testTurningTheMeshChangesYawAndPitchByTheTurn() throws {
        let mesh = try SharedData.goldenMesh("obama")
        let straight = try XCTUnwrap(HeadPose(landmarks: turned(mesh)))
        XCTAssertLessThan(abs(straight.yaw), 15, "a near-frontal portrait")
        for angle: Float in [-30, -8, 12, 25] {
            let pose = try XCTUnwrap(HeadPose(landmarks: turned(mesh, yaw: angle)))
            XCTAssertEqual(pose.yaw - straight.yaw, angle, accuracy: 0.01)
            XCTAssertEqual(pose.pitch, straight.pitch, accuracy: 0.01, "a turn about the vertical axis leaves the pitch")
            // A nod: exact for a frontal face, nearly for this one (its own yaw is a few degrees).
            let nodded = try XCTUnwrap(HeadPose(landmarks: turned(mesh, pitch: angle)))
            XCTAssertEqual(nodded.pitch - straight.pitch, angle, accuracy: 0.3)
            XCTAssertEqual(nodded.yaw, straight.yaw, accuracy: abs(angle) * 0.1)
        }
        XCTAssertEqual(straight.mirrored.yaw, -straight.yaw)
        XCTAssertEqual(HeadPose(yaw: 3, pitch: 1).distance(to: HeadPose(yaw: 0, pitch: 5)), 5, accuracy: 1e-6)
    }

    func testTooFewOrFlatPointsGiveNoPose() {
        XCTAssertNil(HeadPose(landmarks: Array(repeating: [1, 2, 3], count: 5)))
        XCTAssertNil(HeadPose(landmarks: Array(repeating: [1, 2], count: 468)))
    }
}
