import Foundation
import XCTest

/// `plateswap detect` and `plateswap extract` run as a user runs them (the built binary).
final class FaceCommandTests: XCTestCase {
    func testDetectJSONMatchesTheGoldenDetection() throws {
        let image = ExtractFixtures.shared.appendingPathComponent("golden/images/obama.png")
        let run = try ExtractFixtures.plateswap(["detect", image.path, "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let golden = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: ExtractFixtures.shared.appendingPathComponent("golden/obama.json"))) as? [String: Any])
        XCTAssertEqual(json["width"] as? Int, golden["width"] as? Int)
        XCTAssertEqual(json["height"] as? Int, golden["height"] as? Int)
        let faces = try XCTUnwrap(json["faces"] as? [[String: Any]])
        let reference = try XCTUnwrap((golden["mtcnn_faces"] as? [[String: Any]])?.first)
        let box = try XCTUnwrap(faces.first?["box"] as? [Double])
        let want = try XCTUnwrap(reference["box_x1y1x2y2"] as? [Double])
        for (a, b) in zip(box, want) { XCTAssertEqual(a, b, accuracy: 0.02 * (want[2] - want[0]), "box \(box) vs \(want)") }
        XCTAssertEqual((faces.first?["landmarks"] as? [[Double]])?.count, 468)
        XCTAssertEqual((faces.first?["points5"] as? [[Double]])?.count, 5)
        let mesh = try XCTUnwrap((golden["mediapipe_facemesh"] as? [[[Double]]])?.first)
        let got = try XCTUnwrap(faces.first?["landmarks"] as? [[Double]])
        let mean = zip(got, mesh).map { hypot($0[0] - $1[0], $0[1] - $1[1]) }.reduce(0, +) / 468
        XCTAssertLessThan(mean, 0.02 * (want[2] - want[0]), "mesh from our MTCNN ROI vs MediaPipe's")
    }

    func testExtractWritesAFaceSetAndReportsProgress() throws {
        let out = try ExtractFixtures.temporaryDirectory("cli-extract")
        defer { try? FileManager.default.removeItem(at: out) }
        let plate = ExtractFixtures.data("plates/s18_png16/plate.%04d.png")
        let run = try ExtractFixtures.plateswap(["extract", plate.path, "--out", out.path, "--size", "256",
                                                 "--frames", "1001-1002", "--face-type", "full"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("extract: 2/2 frames"), run.stderr)
        XCTAssertEqual(run.stdout, "", "stdout is for requested output only")
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("faceset.json"))) as? [String: Any])
        XCTAssertEqual(doc["face_type"] as? String, "full")
        let faces = try XCTUnwrap(doc["faces"] as? [[String: Any]])
        XCTAssertEqual(faces.compactMap { $0["frame"] as? Int }, [1001, 1002])
        for face in faces {
            let file = out.appendingPathComponent(try XCTUnwrap(face["file"] as? String))
            // 16-bit RGB PNG: IHDR bit depth 16, colour type 2.
            let header = try Data(contentsOf: file).prefix(26)
            XCTAssertEqual(Array(header[24...25]), [16, 2], file.path)
        }
    }

    func testExtractBadInputExitsTwoNamingTheFile() throws {
        let out = try ExtractFixtures.temporaryDirectory("cli-bad")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try ExtractFixtures.plateswap(["extract", "/nonexistent/shot/plate.####.exr", "--out", out.path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("/nonexistent/shot"), run.stderr)
        let badSize = try ExtractFixtures.plateswap(["extract", out.path, "--out", out.path, "--size", "100"])
        XCTAssertEqual(badSize.status, 2)
        XCTAssertTrue(badSize.stderr.contains("--size"), badSize.stderr)
    }
}
