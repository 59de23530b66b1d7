import Foundation
import PlateIO
import XCTest
@testable import ShotPipeline
import Support

/// The failures of issue 16 that printed raw Foundation or decoder errors (item 6), through the
/// binary: one plain line naming the file and the reason, with README's exit status (2 bad input,
/// 1 a failure while working). A full disk comes from the test-only `PLATESWAP_TEST_FAIL_WRITES`,
/// which sends the named files' writes to /dev/full (a real ENOSPC from the system).
final class ErrorVocabularyTests: XCTestCase {
    var dir: URL!
    let frames = Array(1001...1003)

    override func setUpWithError() throws { dir = try SyntheticShot.temporaryFolder("errors") }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    /// No Foundation or decoder dump, one line.
    func assertPlain(_ stderr: String, file: StaticString = #filePath, line: UInt = #line) {
        for raw in ["NSCocoaErrorDomain", "Error Domain", "DecodingError", "keyNotFound", "CodingKeys", "Generic error in an external library", "UserInfo"] {
            XCTAssertFalse(stderr.contains(raw), "raw '\(raw)' in:\n\(stderr)", file: file, line: line)
        }
    }

    /// Lines that report an error ("error:" rather than "error": the temporary folders are named
    /// plateswap-errors-..., and info lines name the plate's path).
    func errorLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains("error:") || $0.contains("cannot") }
    }

    func writeSyntheticShot() throws {
        try SyntheticShot.writePlates(dir.appendingPathComponent("plates"), frames: frames, window: PixelBox(width: 320, height: 240))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        try """
            shot: FULL
            plate: {path: plates/plate.####.exr}
            output: {path: out/swap.####.exr}
            model: {path: model.plateswap}
            face: {size: 64}
            """.write(to: dir.appendingPathComponent("shot.yaml"), atomically: true, encoding: .utf8)
    }

    func testAFullDiskWhileWritingTheReportNamesTheFileAndExitsOne() throws {
        try writeSyntheticShot()
        try SyntheticShot.writeTracks(dir.appendingPathComponent("out/tracks.json"), plate: dir.appendingPathComponent("plates/plate.####.exr"), frames: frames, cx: 150, cy: 120, side: 120)
        let result = try PlateswapProcess.run(["run", "shot.yaml", "--identity-swap"], in: dir,
                                              environment: ["PLATESWAP_TEST_FAIL_WRITES": "report.json"])
        XCTAssertEqual(result.status, 1, result.stderr)
        let report = dir.appendingPathComponent("out/report.json").path
        XCTAssertTrue(result.stderr.contains("error: cannot write \(report): no space left on device"), result.stderr)
        XCTAssertEqual(errorLines(result.stderr).count, 1, result.stderr)
        assertPlain(result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: report))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).filter { $0.hasPrefix(".") }, [],
                       "no temporary file is left")
    }

    func testAFullDiskWhileWritingTracksNamesTheFileAndExitsOne() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        try """
            shot: TRACKS
            plate: {path: \(TrainFixtures.shared.path)/data/plates/s18_dwaa_crop/plate.####.exr, frames: 1001}
            output: {path: out/swap.####.exr}
            model: {path: model.plateswap}
            """.write(to: dir.appendingPathComponent("shot.yaml"), atomically: true, encoding: .utf8)
        let result = try PlateswapProcess.run(["track", "shot.yaml"], in: dir, environment: ["PLATESWAP_TEST_FAIL_WRITES": "tracks.json"])
        XCTAssertEqual(result.status, 1, result.stderr)
        let tracks = dir.appendingPathComponent("out/tracks.json").path
        XCTAssertTrue(result.stderr.contains("plateswap: error: cannot write \(tracks): no space left on device"), result.stderr)
        assertPlain(result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tracks))
    }

    func testAFaceSetWithoutAKeyOrWithADamagedCropExitsTwoNamingTheFile() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: TrainFixtures.shared.appendingPathComponent("models/taesd/taef2_encoder.safetensors").path),
                          "TAEF2 weights not found")
        try TrainFixtures.makeProject(at: dir, faces: 3)
        _ = try TrainFixtures.writeTrainYAML(in: dir, iterations: 1)

        // faceset.json without frames_without_faces.
        let json = dir.appendingPathComponent("facesets/actor/faceset.json")
        let original = try Data(contentsOf: json)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: original) as? [String: Any])
        object.removeValue(forKey: "frames_without_faces")
        try JSONSerialization.data(withJSONObject: object).write(to: json)
        let missing = try PlateswapProcess.run(["train", "train.yaml"], in: dir)
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("error: \(json.path): missing key 'frames_without_faces'"), missing.stderr)
        assertPlain(missing.stderr)

        // A face crop cut short.
        try original.write(to: json)
        let crop = dir.appendingPathComponent("facesets/actor/faces/000001.png")
        let bytes = try Data(contentsOf: crop)
        try bytes.prefix(bytes.count / 2).write(to: crop)
        let damaged = try PlateswapProcess.run(["train", "train.yaml"], in: dir)
        XCTAssertEqual(damaged.status, 2, damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("error: \(crop.path): cannot be decoded as a PNG"), damaged.stderr)
        assertPlain(damaged.stderr)
        XCTAssertEqual(errorLines(damaged.stderr).count, 1, damaged.stderr)
    }

    func testFoundationErrorsReadAsPlainWords() throws {
        struct Inner: Decodable { var frame: Int }
        struct Outer: Decodable { var faces: [Inner] }
        func described(_ json: String) -> String {
            do { _ = try JSONDecoder().decode(Outer.self, from: Data(json.utf8)) } catch { return ErrorText.describe(error) }
            return "decoded"
        }
        XCTAssertEqual(described(#"{"faces": [{"frame": 1}, {}]}"#), "missing key 'frame' in faces[1]")
        XCTAssertEqual(described(#"{"faces": "no"}"#), "faces: expected a list")
        XCTAssertEqual(described(#"{"faces": [{"frame": null}]}"#), "faces[0].frame: expected an integer, found null")
        XCTAssertEqual(described("{"), "not valid JSON")
        // Foundation's file errors keep the path and the system's reason only.
        let nowhere = dir.appendingPathComponent("missing/file.json")
        XCTAssertThrowsError(try Data(contentsOf: nowhere)) { error in
            XCTAssertEqual(FileError(.read, nowhere.path, error).description, "cannot read \(nowhere.path): no such file or folder")
        }
        XCTAssertThrowsError(try Data("x".utf8).write(to: URL(fileURLWithPath: "/dev/full"))) { error in
            XCTAssertTrue(ErrorText.describe(error).hasSuffix("no space left on device"), ErrorText.describe(error))
        }
    }
}
