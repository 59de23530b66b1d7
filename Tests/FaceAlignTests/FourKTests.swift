import XCTest
import Imaging
import Neural
@testable import FaceAlign

/// 4K frames: faces from ~40 px to frame-filling (heavy: PLATESWAP_HEAVY=1).
final class FourKTests: XCTestCase {
    /// `image` scaled by `s` and moved so source point `anchor` lands on (cx, cy) of a 3840x2160 frame.
    func frame(_ image: ImageBuffer, scale s: Double, anchor: SIMD2<Double>, at c: SIMD2<Double>) -> (ImageBuffer, Imaging.AffineTransform) {
        let forward = Imaging.AffineTransform(a: s, b: 0, c: c.x - s * anchor.x, d: 0, e: s, f: c.y - s * anchor.y)
        let out = image.warpAffine(matrix: .fromIntegerCentreConvention(forward.inverse!), width: 3840, height: 2160,
                                   filter: s < 1 ? .area : .lanczos3, edge: .clamp)
        return (out, forward)
    }

    func mapped(_ b: [Double], _ m: Imaging.AffineTransform) -> FaceBox {
        let p = m.apply(SIMD2(b[0], b[1])), q = m.apply(SIMD2(b[2], b[3]))
        return FaceBox(x1: Float(p.x), y1: Float(p.y), x2: Float(q.x), y2: Float(q.y))
    }

    func testSmallAndFrameFillingFacesIn4K() throws {
        try XCTSkipUnless(SharedData.heavy, "4K detection runs with PLATESWAP_HEAVY=1")
        let finder = try FaceFinder(searchPath: EndToEndGoldenTests.searchPath)
        for (stem, targetWidth) in [("two_people", 44.0), ("obama", 1500.0)] {
            let image = try SharedData.goldenImage(stem)
            let refs = try XCTUnwrap(SharedData.goldenJSON(stem)["mtcnn_faces"] as? [[String: Any]])
            let boxes = refs.map { $0["box_x1y1x2y2"] as! [Double] }
            let s = targetWidth / (boxes[0][2] - boxes[0][0])
            let anchor = SIMD2((boxes[0][0] + boxes[0][2]) / 2, (boxes[0][1] + boxes[0][3]) / 2)
            let (big, m) = frame(image, scale: s, anchor: anchor, at: SIMD2(1920, 1080))
            let faces = try finder.find(big)
            for b in boxes where s < 1 || b == boxes[0] {
                let want = mapped(b, m)
                let best = faces.map { $0.box.iou(want) }.max() ?? 0
                XCTAssertGreaterThan(best, 0.6, "\(stem) at \(targetWidth) px: box \(want), found \(faces.map(\.box))")
            }
        }
    }
}
