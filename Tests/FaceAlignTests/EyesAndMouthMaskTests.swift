import XCTest
import Imaging
@testable import FaceAlign

/// The eyes-and-mouth map that training weighs up: it covers the eye and lip contours of the mesh
/// (grown to take in lids and lips), follows the alignment transform, and nothing else.
final class EyesAndMouthMaskTests: XCTestCase {
    /// A mesh whose eye rings are circles of radius 6 around (40, 40) and (88, 40) and whose lip
    /// ring is a circle of radius 10 around (64, 96); every other point sits at the centre (64, 64).
    func mesh() -> [SIMD3<Float>] {
        var points = [SIMD3<Float>](repeating: SIMD3(64, 64, 0), count: FaceMeshTopology.pointCount)
        func ring(_ indices: [Int], _ cx: Float, _ cy: Float, _ r: Float) {
            for (k, i) in indices.enumerated() {
                let a = Float(k) / Float(indices.count) * 2 * .pi
                points[i] = SIMD3(cx + r * cos(a), cy + r * sin(a), 0)
            }
        }
        ring(FaceMeshTopology.rightEyeRing, 40, 40, 6)
        ring(FaceMeshTopology.leftEyeRing, 88, 40, 6)
        ring(FaceMeshTopology.outerLipsRing, 64, 96, 10)
        return points
    }

    func testCoversEyesAndMouthGrownAndNothingElse() {
        let map = eyesAndMouthMask(landmarks: mesh(), transform: .identity, width: 128, height: 128)
        func at(_ x: Int, _ y: Int) -> Float { map[y * 128 + x] }
        XCTAssertEqual(at(40, 40), 1); XCTAssertEqual(at(88, 40), 1); XCTAssertEqual(at(64, 96), 1)
        // Grown by 1.6: 8 px from an eye centre is inside (radius 9.6), 11 px is not.
        XCTAssertEqual(at(48, 40), 1); XCTAssertEqual(at(51, 40), 0)
        // The nose, cheeks and forehead are not weighed up.
        XCTAssertEqual(at(64, 64), 0); XCTAssertEqual(at(20, 80), 0); XCTAssertEqual(at(64, 10), 0)
        let area = map.reduce(0, +)
        let expected = Float.pi * (2 * 9.6 * 9.6 + 12.5 * 12.5)
        XCTAssertEqual(area, expected, accuracy: 0.1 * expected)
    }

    func testFollowsTheAlignmentTransform() {
        let shifted = eyesAndMouthMask(landmarks: mesh(), transform: .translation(10, -5), width: 128, height: 128)
        XCTAssertEqual(shifted[35 * 128 + 50], 1, "the right eye moved to (50, 35)")
        XCTAssertEqual(shifted[40 * 128 + 36], 0, "nothing left behind at the old place")
        // A mesh without all 468 points gives an empty map rather than a crash.
        XCTAssertEqual(eyesAndMouthMask(landmarks: Array(mesh().prefix(10)), transform: .identity, width: 16, height: 16).reduce(0, +), 0)
    }
}
