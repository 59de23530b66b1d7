import FaceAlign
import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// tracks.json's per-face alignment matrix (crop <- plate): the crop the swap cuts, in absolute
/// plate pixels, whatever the data window.
final class AlignmentMatrixTests: XCTestCase {
    func testMatrixIsTheSwapsCropAndMapsTheFaceCentreToTheCropCentre() throws {
        let dir = try SyntheticShot.temporaryFolder("alignment")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A data window that does not start at 0: matrices are absolute plate pixels.
        let window = PixelBox(xMin: 30, yMin: 20, xMax: 229, yMax: 179)
        try SyntheticShot.writePlates(dir.appendingPathComponent("plates"), frames: [1001, 1002], window: window,
                                      display: PixelBox(width: 260, height: 200))
        let tracksURL = dir.appendingPathComponent("tracks.json")
        // A still face whose alignment points all sit at their template places (the outline too), so
        // the fitted similarity is exact: scale 128/90, no rotation, centre (130, 100) -> 63.5.
        var mesh = SyntheticShot.mesh(cx: 130, cy: 100, side: 90)
        let template = FaceTemplate(.wholeFace)
        for (index, unit) in zip(template.indices, template.unitPoints) {
            mesh[index] = SIMD3(130 + Float(unit.x - 0.5) * 90, 100 + Float(unit.y - 0.5) * 90, 0)
        }
        let face = DetectedFace(box: FaceBox(x1: 85, y1: 55, x2: 175, y2: 145), score: 0.99, points5: [], landmarks: mesh, presence: 1)
        var document = buildTracks(detections: [(1001, [face]), (1002, [face])], frameRate: 25, smoothing: OneEuroParameters())
        XCTAssertNil(document.alignment, "buildTracks alone adds no matrices")
        document.addAlignment(.init(size: 128, faceType: .wholeFace))
        try document.encoded().write(to: tracksURL)
        let json = try String(contentsOf: tracksURL, encoding: .utf8)
        XCTAssertTrue(json.contains("\"alignment\":{\"face_type\":\"whole_face\",\"size\":128}"), json)
        XCTAssertTrue(json.contains("\"matrix\":[["), json)

        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        let shot = dir.appendingPathComponent("shot.yaml")
        try """
            plate: {path: plates/plate.####.exr}
            output: {path: out/swap.####.exr, tracks: tracks.json}
            model: {path: model.plateswap}
            face: {size: 128}
            """.write(to: shot, atomically: true, encoding: .utf8)
        let config = try ShotConfig.load(shot)
        try SyntheticShot.stamp(tracksOf: config)
        let plate = try PlateSequence(config)
        let provider = try ShotTracks(shot: config, plate: plate)
        for (k, frame) in [1001, 1002].enumerated() {
            XCTAssertEqual(document.frames[k].frame, frame)
            let stored = try XCTUnwrap(document.frames[k].faces.first?.matrix)
            let m = Imaging.AffineTransform(rows: stored)
            XCTAssertEqual(m.a, 128.0 / 90, accuracy: 1e-4)
            XCTAssertEqual(m.e, 128.0 / 90, accuracy: 1e-4)
            XCTAssertEqual(m.b, 0, accuracy: 1e-4)
            XCTAssertEqual(m.d, 0, accuracy: 1e-4)
            let centre = m.apply(130, 100)
            XCTAssertEqual(centre.x, 63.5, accuracy: 1e-3)
            XCTAssertEqual(centre.y, 63.5, accuracy: 1e-3)
            // The swap's crop of the data-window buffer is the stored matrix moved by the origin.
            let read = try plate.read(frame: frame)
            let face = try XCTUnwrap(provider.faces(frame: frame, plate: read.image, origin: read.origin, cropSize: 128).first)
            let expected = Imaging.AffineTransform.fromIntegerCentreConvention(
                m.concatenating(after: .translation(Double(window.xMin), Double(window.yMin))))
            for (got, want) in zip([face.plateToCrop.a, face.plateToCrop.b, face.plateToCrop.c, face.plateToCrop.d, face.plateToCrop.e, face.plateToCrop.f],
                                   [expected.a, expected.b, expected.c, expected.d, expected.e, expected.f]) {
                XCTAssertEqual(got, want, accuracy: 1e-3, "frame \(frame)")
            }
        }
    }
}
