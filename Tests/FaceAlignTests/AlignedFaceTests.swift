import XCTest
import Imaging
@testable import FaceAlign

final class AlignedFaceTests: XCTestCase {
    func testCropMapsBackOntoTheSourceAndTheMaskCoversTheFace() throws {
        let image = try SharedData.goldenImage("obama")
        let mesh = try SharedData.goldenMesh("obama")
        let face = AlignedFace(image: image, landmarks: mesh, faceType: .wholeFace, size: 256)
        XCTAssertEqual(face.crop.width, 256)
        XCTAssertEqual(face.crop.channelNames, ["R", "G", "B"])
        // The face (~250 px between forehead and chin) is shrunk: the crop is an area-filtered view.
        XCTAssertLessThan(face.matrix.uniformScale, 1)

        // Paste the crop back with the inverse matrix; inside the face it reproduces the source
        // up to the resolution lost in the 256 px crop.
        let back = face.crop.warpAffine(matrix: .fromIntegerCentreConvention(face.matrix), width: image.width,
                                        height: image.height, filter: .bilinear, edge: .zero)
        let plateMask = plateFaceMask(landmarks: mesh, width: image.width, height: image.height)
        var err = 0.0, n = 0.0
        for i in 0..<image.pixelCount where plateMask[i] > 0.99 {
            for c in 0..<3 { err += Double(abs(back.planes[c][i] - image.planes[c][i])) }
            n += 3
        }
        XCTAssertGreaterThan(n, 3 * 40_000)
        XCTAssertLessThan(err / n, 0.02)

        // Crop mask: the nose tip and eye corners inside, the crop corners outside.
        let m = face.mask.planes[0]
        for i in [1, 33, 263] {
            let p = face.matrix.apply(SIMD2(Double(mesh[i].x), Double(mesh[i].y)))
            XCTAssertGreaterThan(m[Int(p.y.rounded()) * 256 + Int(p.x.rounded())], 0.99, "point \(i)")
        }
        XCTAssertEqual(m[0], 0)
        XCTAssertEqual(m[256 * 256 - 1], 0)
        // The mask in plate space has the same area as the crop mask scaled back.
        let plateArea = plateMask.reduce(0, +), cropArea = m.reduce(0, +)
        let s2 = Float(face.matrix.uniformScale * face.matrix.uniformScale)
        XCTAssertEqual(cropArea / s2, plateArea, accuracy: plateArea * 0.01)
    }

    /// Enlarged faces are bilinear (`AlignedCrop.filter`), still true to the source at a landmark.
    func testEnlargedFacesKeepDetail() throws {
        let image = try SharedData.goldenImage("obama")
        let mesh = try SharedData.goldenMesh("obama")
        let face = AlignedFace(image: image, landmarks: mesh, faceType: .full, size: 1024)
        XCTAssertGreaterThan(face.matrix.uniformScale, 1)
        // Sampled at a landmark, the crop agrees with the source pixel there.
        let p = face.matrix.apply(SIMD2(Double(mesh[1].x), Double(mesh[1].y)))
        let src = image.planes[0][Int(mesh[1].y.rounded()) * image.width + Int(mesh[1].x.rounded())]
        XCTAssertEqual(face.crop.planes[0][Int(p.y.rounded()) * 1024 + Int(p.x.rounded())], src, accuracy: 0.05)
    }

    func testFaceSetDocumentRoundTrips() throws {
        var doc = FaceSetDocument(faceType: .head, size: 384)
        let face = DetectedFace(box: FaceBox(x1: 1, y1: 2, x2: 3, y2: 4), score: 0.9, points5: [[1, 2]], landmarks: [[1, 2, 3]], presence: 0.8)
        doc.faces.append(.init(file: "faces/000000.png", mask: "masks/000000.png", source: "a.png", frame: nil, faceIndex: 0,
                               track: nil, face: face, matrix: [[1, 0, 0], [0, 1, 0]], size: 384, faceType: .head))
        doc.framesWithoutFaces.append(.init(source: "b.png", frame: 7, reason: "no face"))
        let data = try doc.encoded()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssert(text.contains("\"face_type\":\"head\"") && text.contains("\"frames_without_faces\""), text)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("faceset-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try data.write(to: url)
        XCTAssertEqual(try FaceSetDocument.read(from: url), doc)
    }
}
