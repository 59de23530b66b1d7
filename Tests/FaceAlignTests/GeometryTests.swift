import XCTest
import Imaging
@testable import FaceAlign

final class GeometryTests: XCTestCase {
    func testUmeyamaRecoversAKnownSimilarity() {
        let truth = Imaging.AffineTransform(a: 1.7 * cos(0.3), b: -1.7 * sin(0.3), c: 12, d: 1.7 * sin(0.3), e: 1.7 * cos(0.3), f: -4)
        let src: [SIMD2<Double>] = [[0, 0], [10, 1], [3, 7], [-5, 4], [2, -6]]
        let dst = src.map { truth.apply($0) }
        let m = umeyamaSimilarity(from: src, to: dst)
        for (x, y) in zip(m.rows.flatMap { $0 }, truth.rows.flatMap { $0 }) { XCTAssertEqual(x, y, accuracy: 1e-9) }
        XCTAssertEqual(m.uniformScale, 1.7, accuracy: 1e-9)
    }

    func testUmeyamaIsLeastSquaresAndNeverReflects() {
        // A mirrored point set cannot be matched by a similarity: the fit must keep det > 0.
        let src: [SIMD2<Double>] = [[0, 0], [4, 0], [0, 2], [3, 3]]
        let dst = src.map { SIMD2(-$0.x, $0.y) }
        let m = umeyamaSimilarity(from: src, to: dst)
        XCTAssertGreaterThan(m.determinant, 0)
        // Perturbing the fitted parameters never lowers the squared error.
        func error(_ t: Imaging.AffineTransform) -> Double { zip(src, dst).reduce(0) { s, p in let d = t.apply(p.0) - p.1; return s + (d * d).sum() } }
        var nudged = m
        nudged.c += 0.01
        XCTAssertLessThan(error(m), error(nudged))
    }

    func testSIMDPointHelpersAgreeWithTheMatrix() {
        let m = Imaging.AffineTransform(a: 2, b: 0.5, c: 3, d: -0.25, e: 1.5, f: 7)
        let p = SIMD2<Double>(11, -3)
        let back = m.inverse!.apply(m.apply(p))
        XCTAssertEqual(back.x, p.x, accuracy: 1e-12)
        XCTAssertEqual(back.y, p.y, accuracy: 1e-12)
    }

    func testTemplatesPlaceARealFaceUprightAndCentred() throws {
        let mesh = try SharedData.goldenMesh("obama")
        let size = 512
        var heights: [FaceType: Double] = [:]
        for type in FaceType.allCases {
            let m = FaceTemplate(type).alignment(landmarks: mesh, size: size)
            func crop(_ i: Int) -> SIMD2<Double> { m.apply(SIMD2(Double(mesh[i].x), Double(mesh[i].y))) }
            let r = crop(FaceMeshTopology.rightEyeOuter), l = crop(FaceMeshTopology.leftEyeOuter)
            // Eye line level, right eye on the image left, face centred horizontally.
            XCTAssertLessThan(abs(r.y - l.y), 0.03 * Double(size), "\(type)")
            XCTAssertLessThan(r.x, l.x)
            XCTAssertEqual((r.x + l.x) / 2, Double(size) / 2, accuracy: 0.06 * Double(size), "\(type)")
            let chin = crop(FaceMeshTopology.chin), top = crop(FaceMeshTopology.foreheadTop)
            XCTAssertGreaterThan(chin.y, l.y)
            heights[type] = chin.y - top.y
            if type != .full {
                // whole_face and head keep the whole oval, forehead included, inside the crop.
                for p in faceOvalPolygon(landmarks: mesh, transform: m) {
                    XCTAssert(p.x > 0 && p.x < Double(size) && p.y > 0 && p.y < Double(size), "\(type) \(p)")
                }
            }
        }
        // Tighter to looser: full > whole_face > head in face height on the crop.
        XCTAssertGreaterThan(heights[.full]!, heights[.wholeFace]!)
        XCTAssertGreaterThan(heights[.wholeFace]!, heights[.head]!)
    }

    func testPolygonCoverageIntegratesToTheArea() {
        // A rotated square and a 60-gon disc: summed coverage = polygon area.
        let square: [SIMD2<Double>] = [[10.3, 2.2], [30.1, 12.7], [19.6, 32.5], [-0.2, 22.0]]
        func area(_ p: [SIMD2<Double>]) -> Double {
            abs(p.indices.reduce(0) { s, i in let a = p[i], b = p[(i + 1) % p.count]; return s + a.x * b.y - b.x * a.y }) / 2
        }
        let disc = (0..<60).map { k -> SIMD2<Double> in
            let t = Double(k) / 60 * 2 * .pi
            return SIMD2(20 + 12.5 * cos(t), 18 + 12.5 * sin(t))
        }
        for poly in [square, disc] {
            let cov = rasterizePolygon(poly, width: 40, height: 40, subrows: 16)
            let sum = cov.reduce(0) { $0 + Double($1) }
            XCTAssertEqual(sum, area(poly), accuracy: area(poly) * 0.003)
            XCTAssert(cov.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        // A pixel half covered by a vertical edge gets 0.5.
        let half = rasterizePolygon([[5, -1], [10, -1], [10, 10], [5, 10]], width: 12, height: 8)
        XCTAssertEqual(half[3 * 12 + 5], 0.5, accuracy: 1e-6)
        XCTAssertEqual(half[3 * 12 + 7], 1, accuracy: 1e-6)
        XCTAssertEqual(half[3 * 12 + 11], 0, accuracy: 1e-6)
    }

    func testFaceOvalOfARealMeshIsASimpleRingAroundTheFace() throws {
        let mesh = try SharedData.goldenMesh("obama")
        let ring = faceOvalPolygon(landmarks: mesh)
        XCTAssertEqual(ring.count, 36)
        // Every mesh point lies inside (or on) the oval: its mask covers the nose tip and eyes.
        let w = 910, h = 1137
        let mask = rasterizePolygon(ring, width: w, height: h)
        for i in [1, 33, 263, 13, 168] {
            let p = mesh[i]
            XCTAssertGreaterThan(mask[Int(p.y.rounded()) * w + Int(p.x.rounded())], 0.99, "point \(i)")
        }
        XCTAssertEqual(mask[10 * w + 10], 0)
    }
}
