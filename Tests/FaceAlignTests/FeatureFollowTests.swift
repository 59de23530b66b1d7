import Imaging
import XCTest
@testable import FaceAlign

/// `blend.follow_plate`'s warp on MediaPipe's real mesh (golden obama): a swap whose mouth and nose
/// sit to one side of the plate's is sampled so that they land on the plate's; the outline stays.
final class FeatureFollowTests: XCTestCase {
    func centroid(_ marks: [SIMD3<Float>], _ points: [Int]) -> SIMD2<Double> {
        points.reduce(SIMD2<Double>.zero) { $0 + SIMD2(Double(marks[$1].x), Double(marks[$1].y)) } / Double(points.count)
    }

    static func eyeDistance(_ marks: [SIMD3<Float>]) -> Float {
        let d = SIMD2(marks[33].x - marks[263].x, marks[33].y - marks[263].y)
        return (d * d).sum().squareRoot()
    }

    func testTheSwapsFeaturesAreSampledWhereTheyAreAndTheOutlineStays() throws {
        let plate = try SharedData.goldenMesh("obama")
        let eyes = Double(Self.eyeDistance(plate))
        // The swap draws the mouth 0.1 eye distances left of the plate's and the nose 0.05 up.
        var swap = plate
        let shift = SIMD3<Float>(Float(-0.1 * eyes), 0, 0), up = SIMD3<Float>(0, Float(-0.05 * eyes), 0)
        for i in FaceMeshTopology.outerLipsRing { swap[i] += shift }
        for i in FaceMeshTopology.noseLine { swap[i] += up }
        let (map, largest) = try XCTUnwrap(FeatureFollow(strength: 1).sourceMap(plate: plate, swap: swap))
        XCTAssertEqual(Double(largest), 0.1, accuracy: 1e-4)
        // The output pixel at the plate's mouth shows the swap's mouth.
        let mouth = map(centroid(plate, FaceMeshTopology.outerLipsRing)) - centroid(swap, FaceMeshTopology.outerLipsRing)
        XCTAssertLessThan((mouth * mouth).sum().squareRoot(), 1e-6)
        let nose = map(centroid(plate, FaceMeshTopology.noseLine)) - centroid(swap, FaceMeshTopology.noseLine)
        XCTAssertLessThan((nose * nose).sum().squareRoot(), 1e-6)
        for i in FaceMeshTopology.faceOval {
            let p = SIMD2(Double(plate[i].x), Double(plate[i].y)), moved = map(p) - p
            XCTAssertLessThan((moved * moved).sum().squareRoot(), 1e-6, "outline point \(i)")
        }
        // Half strength samples half-way; a swap whose features all match the plate's is left as drawn.
        let (half, _) = try XCTUnwrap(FeatureFollow(strength: 0.5).sourceMap(plate: plate, swap: swap))
        XCTAssertEqual(half(centroid(plate, FaceMeshTopology.outerLipsRing)).x,
                       centroid(plate, FaceMeshTopology.outerLipsRing).x - 0.05 * eyes, accuracy: 1e-4)
        let (same, none) = try XCTUnwrap(FeatureFollow(strength: 1).sourceMap(plate: plate, swap: plate))
        XCTAssertEqual(none, 0)
        XCTAssertEqual(same([300, 200]).x, 300, accuracy: 1e-6)
    }

    func testAFarShiftIsALandmarkingFailureNotAPose() throws {
        let plate = try SharedData.goldenMesh("obama")
        let eyes = Self.eyeDistance(plate)
        var swap = plate
        for i in FaceMeshTopology.outerLipsRing { swap[i].y += 0.5 * eyes }
        XCTAssertNil(FeatureFollow(strength: 1).sourceMap(plate: plate, swap: swap))
        XCTAssertNil(FeatureFollow(strength: 1).sourceMap(plate: plate, swap: Array(plate.prefix(10))))
    }
}
