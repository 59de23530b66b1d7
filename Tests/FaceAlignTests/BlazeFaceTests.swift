import Foundation
import Imaging
import Neural
import XCTest
@testable import FaceAlign

/// MediaPipe's short-range detector and FaceMesh ROI rule against ../shared/golden (README: raw
/// network check `blazeface/two_people_short.safetensors`; end-to-end `mediapipe_face_detection`
/// and `mediapipe_facemesh_faces` of the per-image JSONs).
final class BlazeFaceTests: XCTestCase {
    static let searchPath = EndToEndGoldenTests.searchPath
    var stems: [String] { SharedData.heavy ? NetworkGoldenTests.stems : ["obama", "two_people"] }

    func testShortRangeGraphAnchorsAndInputMatchMediaPipe() throws {
        let detector = try BlazeFaceDetector(searchPath: Self.searchPath)
        let g = try SafeTensorsFile(url: SharedData.url("golden/blazeface/two_people_short.safetensors"))
        // Raw network on MediaPipe's own input (tolerance 0.05, values up to ~260).
        let raw = detector.run(input: try g.tensor("input_nhwc"))
        let regressors = try g.tensor("regressors").data, logits = try g.tensor("classificators").data
        XCTAssertEqual(raw.regressors.count, regressors.count)
        XCTAssertLessThanOrEqual(zip(raw.regressors, regressors).map { abs($0 - $1) }.max() ?? 1, 0.05)
        XCTAssertLessThanOrEqual(zip(raw.logits, logits).map { abs($0 - $1) }.max() ?? 1, 0.05)
        // Anchors.
        let anchors = try g.tensor("anchors_xy").data
        XCTAssertEqual(BlazeFaceDecoding.shortRangeAnchors.count * 2, anchors.count)
        for (i, a) in BlazeFaceDecoding.shortRangeAnchors.enumerated() {
            XCTAssertEqual(a.x, anchors[2 * i], accuracy: 1e-6)
            XCTAssertEqual(a.y, anchors[2 * i + 1], accuracy: 1e-6)
        }
        // Our letterboxed input: whole 8-bit levels like MediaPipe's. At this scale (1126 / 128 =
        // 281.5 / 32) sample positions fall on exact ties of OpenCV's 1/32 px grid, which MediaPipe's
        // float32 matrix breaks its own way: only samples on a tie may differ, by at most 2 levels.
        let image = try SharedData.goldenImage("two_people")
        let region = DetectorRegion.letterbox(width: image.width, height: image.height)
        let ours = detector.input(image, region: region).data
        let theirs = try g.tensor("input_nhwc").data
        XCTAssertEqual(ours.count, theirs.count)
        func onTie(_ origin: Double, _ index: Int) -> Bool {
            ((origin + Double(index) * region.side / 128) * 32).truncatingRemainder(dividingBy: 1) == 0.5
        }
        var off = 0
        for (i, (a, b)) in zip(ours, theirs).enumerated() where abs(a - b) * 127.5 > 0.5 {
            off += 1
            let u = (i / 3) % 128, v = i / 384
            XCTAssertTrue(onTie(region.x, u) || onTie(region.y, v), "sample (\(u), \(v)) differs off a tie")
            XCTAssertLessThanOrEqual(abs(a - b) * 127.5, 2.01, "sample (\(u), \(v))")
        }
        XCTAssertLessThan(off, ours.count / 50)
    }

    /// Whole image, as MediaPipe's FaceDetection solution (model_selection 0): the same faces, boxes
    /// and keypoints within 0.5 px, scores within 1e-3.
    func testDetectionsOnTheWholeImageMatchMediaPipe() throws {
        let detector = try BlazeFaceDetector(searchPath: Self.searchPath)
        for stem in stems {
            let image = try SharedData.goldenImage(stem)
            let found = detector.detect(image, region: .letterbox(width: image.width, height: image.height))
            let refs = try XCTUnwrap((SharedData.goldenJSON(stem)["mediapipe_face_detection"] as? [String: Any])?["short"] as? [[String: Any]])
            XCTAssertEqual(found.count, refs.count, stem)
            for (ours, ref) in zip(found, refs) {
                let box = (ref["box_x1y1x2y2"] as! [Double]).map(Float.init)
                for (a, b) in zip(ours.box.array, box) { XCTAssertEqual(a, b, accuracy: 0.5, "\(stem) box") }
                let points = (ref["keypoints_xy"] as! [[Double]]).map { SIMD2(Float($0[0]), Float($0[1])) }
                for (p, q) in zip(ours.keypoints, points) {
                    XCTAssertLessThanOrEqual(((p - q) * (p - q)).sum().squareRoot(), 0.5, "\(stem) keypoint")
                }
                XCTAssertEqual(ours.score, Float(ref["score"] as! Double), accuracy: 1e-3, stem)
            }
        }
    }

    /// The FaceMesh ROI rule on MediaPipe's own detections gives the ROIs its graph used.
    func testMeshROIOfADetectionIsMediaPipes() throws {
        for stem in NetworkGoldenTests.stems {
            let faces = try XCTUnwrap(SharedData.goldenJSON(stem)["mediapipe_facemesh_faces"] as? [[String: Any]])
            XCTAssertFalse(faces.isEmpty, stem)
            for face in faces {
                let d = try XCTUnwrap(face["detection"] as? [String: Any]), r = try XCTUnwrap(face["roi_px"] as? [String: Double])
                let b = (d["box_x1y1x2y2"] as! [Double]).map(Float.init)
                let detection = BlazeFaceDetection(box: FaceBox(x1: b[0], y1: b[1], x2: b[2], y2: b[3]),
                                                   keypoints: (d["keypoints_xy"] as! [[Double]]).map { SIMD2(Float($0[0]), Float($0[1])) },
                                                   score: Float(d["score"] as! Double))
                let roi = detection.meshROI
                XCTAssertEqual(roi.cx, r["cx"]!, accuracy: 0.01, stem)
                XCTAssertEqual(roi.cy, r["cy"]!, accuracy: 0.01, stem)
                XCTAssertEqual(roi.side, r["side"]!, accuracy: 0.01, stem)
                XCTAssertEqual(roi.rotation, r["rotation_rad"]!, accuracy: 1e-5, stem)
            }
        }
    }

    /// The region around a face: 2.5x its long side, whole pixels, moved inside the image, no
    /// larger than the short side.
    func testRegionAroundAFaceStaysInsideTheImage() {
        let r = DetectorRegion.around(FaceBox(x1: 100, y1: 20, x2: 140, y2: 70), width: 640, height: 360)
        XCTAssertEqual([r.x, r.y, r.side], [58, 0, 125])   // side 2.5 x 50; x 120 - 62.5 rounded to even; y moved in
        XCTAssertEqual([r.readX0, r.readY0, r.readX1, r.readY1], [58, 0, 183, 125])
        let edge = DetectorRegion.around(FaceBox(x1: -23, y1: 244, x2: 68, y2: 359), width: 600, height: 604)
        XCTAssertEqual([edge.x, edge.side], [0, 288])
        let big = DetectorRegion.around(FaceBox(x1: 90, y1: 10, x2: 380, y2: 350), width: 400, height: 360)
        XCTAssertEqual([big.x, big.y, big.side], [40, 0, 360])
    }

    /// The detection taken for a face is the one centred on it and of its size; none is taken when
    /// only a neighbour or a detection of another size is there.
    func testMatchTakesTheDetectionThatIsTheFace() {
        let face = DetectedFace(box: FaceBox(x1: 100, y1: 100, x2: 180, y2: 200), score: 1, points5: [])
        func detection(_ cx: Float, _ cy: Float, _ side: Float) -> BlazeFaceDetection {
            BlazeFaceDetection(box: FaceBox(x1: cx - side / 2, y1: cy - side / 2, x2: cx + side / 2, y2: cy + side / 2),
                               keypoints: Array(repeating: SIMD2(cx, cy), count: 6), score: 0.9)
        }
        let neighbour = detection(260, 150, 80), tiny = detection(140, 150, 30), own = detection(145, 160, 85)
        XCTAssertEqual(FaceMeshLandmarker.match([neighbour, tiny, own], to: face), own)
        XCTAssertNil(FaceMeshLandmarker.match([neighbour, tiny], to: face))
        XCTAssertNil(FaceMeshLandmarker.match([], to: face))
    }

    /// Where the detector finds no face, the mesh comes from MTCNN's box and points as before.
    func testWithoutADetectionTheMeshComesFromMTCNNsROI() throws {
        let landmarker = try FaceMeshLandmarker(searchPath: Self.searchPath)
        let n = 200 * 200
        let image = ImageBuffer(width: 200, height: 200, channels: ["R", "G", "B"],
                                planes: (0..<3).map { c in (0..<n).map { i in Float((i % 200 + c * 37) % 256) / 400 + 0.2 } })
        let face = DetectedFace(box: FaceBox(x1: 60, y1: 50, x2: 140, y2: 150), score: 0.99,
                                points5: [SIMD2(85, 90), SIMD2(115, 90), SIMD2(100, 110), SIMD2(88, 130), SIMD2(112, 130)])
        XCTAssertNil(landmarker.detectorROI(image, for: face))
        let got = landmarker.landmarks(image, face: face), fallback = landmarker.mtcnnLandmarks(image, face: face)
        XCTAssertEqual(got.roi, fallback.roi)
        XCTAssertEqual(got.landmarks, fallback.landmarks)
    }
}
