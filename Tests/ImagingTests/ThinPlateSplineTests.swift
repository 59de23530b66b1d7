import XCTest
@testable import Imaging

/// The thin-plate spline that moves a swap's features: exact at its control points, affine when the
/// points move affinely, and the remap that samples an image through it.
final class ThinPlateSplineTests: XCTestCase {
    let square: [SIMD2<Double>] = [[0, 0], [10, 0], [0, 10], [10, 10], [5, 5], [2, 7]]

    func testPassesThroughEveryControlPointAndBendsSmoothlyBetween() throws {
        var to = square
        to[4] += [2, -1] // the middle point moves, the corners stay
        let spline = try XCTUnwrap(ThinPlateSpline(from: square, to: to))
        for (p, q) in zip(square, to) {
            XCTAssertEqual(spline(p).x, q.x, accuracy: 1e-9)
            XCTAssertEqual(spline(p).y, q.y, accuracy: 1e-9)
        }
        // Between the middle and a corner, the point moves part of the way.
        let between = spline([7.5, 7.5]) - SIMD2(7.5, 7.5)
        XCTAssertGreaterThan(between.x, 0.1)
        XCTAssertLessThan(between.x, 2)
    }

    func testAnAffineMoveIsReproducedEverywhere() throws {
        let affine = { (p: SIMD2<Double>) -> SIMD2<Double> in [1.1 * p.x - 0.2 * p.y + 3, 0.3 * p.x + 0.9 * p.y - 1] }
        let spline = try XCTUnwrap(ThinPlateSpline(from: square, to: square.map(affine)))
        for p: SIMD2<Double> in [[-4, 3], [20, 15], [3.3, 8.1]] {
            XCTAssertEqual(spline(p).x, affine(p).x, accuracy: 1e-7)
            XCTAssertEqual(spline(p).y, affine(p).y, accuracy: 1e-7)
        }
        XCTAssertNil(ThinPlateSpline(from: [[0, 0], [1, 1], [2, 2]], to: [[0, 0], [1, 1], [2, 2]]), "collinear points")
        XCTAssertNil(ThinPlateSpline(from: [[0, 0], [1, 0]], to: [[0, 0], [1, 0]]))
    }

    func testRemapInterpolatesCubicallyAndClampsAtTheEdge() {
        var image = ImageBuffer(width: 6, height: 4, channels: ["R", "G"])
        for i in 0..<24 { image.planes[0][i] = Float(i % 6); image.planes[1][i] = Float(i / 6) }
        XCTAssertEqual(image.remapped { $0 }, image, "whole pixels are taken as they are")
        let moved = image.remapped { $0 + SIMD2(0.5, 1) }
        XCTAssertEqual(moved.planes[0][1], 1.5, accuracy: 1e-6, "a linear ramp is interpolated exactly")
        XCTAssertEqual(moved.planes[1][1], 1, accuracy: 1e-6)
        XCTAssertEqual(moved.planes[0][5], 5, accuracy: 1e-6, "clamped at the right edge")
        XCTAssertEqual(moved.planes[1][23], 3, accuracy: 1e-6, "clamped at the bottom edge")
        // A one-pixel line moved by half a pixel keeps more of its peak than bilinear's 0.5.
        var line = ImageBuffer(width: 8, height: 1, channels: ["R"])
        line.planes[0][4] = 1
        XCTAssertEqual(line.remapped { $0 + SIMD2(0.5, 0) }.planes[0][3], 0.5625, accuracy: 1e-6)
    }
}
