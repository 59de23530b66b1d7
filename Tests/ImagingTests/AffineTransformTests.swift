import XCTest
@testable import Imaging

final class AffineTransformTests: XCTestCase {
    func testInverseComposeAndApply() throws {
        let m = AffineTransform.translation(10, -4).concatenating(after: .rotation(0.3).concatenating(after: .scale(2, 0.5)))
        let p = m.apply(3, 7)
        // scale, then rotate, then translate
        let s = (3.0 * 2, 7.0 * 0.5)
        let r = (cos(0.3) * s.0 - sin(0.3) * s.1, sin(0.3) * s.0 + cos(0.3) * s.1)
        XCTAssertEqual(p.x, r.0 + 10, accuracy: 1e-12)
        XCTAssertEqual(p.y, r.1 - 4, accuracy: 1e-12)
        let inv = try XCTUnwrap(m.inverse)
        let q = inv.apply(p.x, p.y)
        XCTAssertEqual(q.x, 3, accuracy: 1e-12)
        XCTAssertEqual(q.y, 7, accuracy: 1e-12)
        let id = m.followed(by: inv)
        for (v, e) in zip(id.rows.flatMap { $0 }, AffineTransform.identity.rows.flatMap { $0 }) { XCTAssertEqual(v, e, accuracy: 1e-12) }
        XCTAssertNil(AffineTransform.scale(0, 1).inverse)
        XCTAssertEqual(AffineTransform(rows: m.rows), m)
    }

    func testIntegerCentreConversion() {
        // OpenCV-style scale by 2 about pixel index 0 -> in our convention pixel centres still map to centres.
        let cv = AffineTransform.scale(2, 2)
        let ours = AffineTransform.fromIntegerCentreConvention(cv)
        let p = ours.apply(0.5, 0.5)            // centre of pixel 0
        XCTAssertEqual(p.x, 0.5, accuracy: 1e-12)  // -> centre of pixel 0
        let q = ours.apply(1.5, 1.5)            // centre of pixel 1
        XCTAssertEqual(q.x, 2.5, accuracy: 1e-12)  // -> centre of pixel 2
        XCTAssertEqual(ours.inIntegerCentreConvention, cv)
    }
}
