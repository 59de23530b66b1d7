import XCTest
@testable import Neural

final class SafeTensorsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A file from a raw header and data section, for the dtypes and corruptions we do not write.
    func rawFile(_ header: String, data: [UInt8], name: String = "raw.safetensors", declaredLength: UInt64? = nil) throws -> URL {
        var bytes = Data()
        let h = Array(header.utf8)
        withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: h)
        bytes.append(contentsOf: data)
        let url = folder.appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }

    func testWriteThenReadRoundTripsValuesShapesAndMetadata() throws {
        var rng = SeededRandom(seed: 3)
        let tensors = ["conv.weight": rng.uniformTensor([4, 3, 3, 3]), "b\"ias": rng.uniformTensor([4]), "empty": .zeros([0, 2])]
        let url = folder.appendingPathComponent("w.safetensors")
        try SafeTensorsFile.write(tensors, to: url, metadata: ["format": "pt", "note": "x\\y"])
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.names, tensors.keys.sorted())
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "x\\y"])
        for (name, t) in tensors { XCTAssertEqual(try file.tensor(name), t, name) }
        XCTAssertEqual(try file.tensor("conv.weight", shape: [4, 3, 3, 3]).count, 108)
        // No temporary file is left beside the output.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["w.safetensors"])
    }

    func testHalfBFloatAndInt32Decode() throws {
        let half: [Float16] = [1.5, -2, 0.000_061_035_156] // last is the smallest normal
        var data: [UInt8] = []
        for v in half { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        for v: Float in [3.0, -0.15625] { withUnsafeBytes(of: UInt16(v.bitPattern >> 16).littleEndian) { data += $0 } }
        for v: Int32 in [7, -9] { withUnsafeBytes(of: v.littleEndian) { data += $0 } }
        let header = #"{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2,1],"data_offsets":[6,10]},"i":{"dtype":"I32","shape":[2],"data_offsets":[10,18]}}"#
        let file = try SafeTensorsFile(url: rawFile(header, data: data))
        XCTAssertEqual(try file.tensor("h").data, [1.5, -2, 0.000_061_035_156])
        XCTAssertEqual(try file.tensor("b"), Tensor(shape: [2, 1], data: [3, -0.15625]))
        XCTAssertEqual(try file.int32s("i").values, [7, -9])
        XCTAssertThrowsError(try file.tensor("i")) { XCTAssertTrue("\($0)".contains("'i'") && "\($0)".contains("I32"), "\($0)") }
        XCTAssertThrowsError(try file.int32s("h")) { XCTAssertTrue("\($0)".contains("F16"), "\($0)") }
    }

    func assertError(_ url: URL, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(url: url).tensor("t"), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(error is SafeTensorsError, text, file: file, line: line)
            for p in parts + [url.lastPathComponent] { XCTAssertTrue(text.contains(p), "'\(p)' not in: \(text)", file: file, line: line) }
        }
    }

    func testCorruptFilesGiveTypedErrorsNamingFileAndTensor() throws {
        let good = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        assertError(try rawFile(good, data: [0, 0, 0], name: "short.safetensors"), contains: ["'t'", "out of range"])
        assertError(try rawFile(good, data: [], name: "len.safetensors", declaredLength: 1 << 40), contains: ["truncated", "header length"])
        let tiny = folder.appendingPathComponent("tiny.safetensors")
        try Data([1, 2, 3]).write(to: tiny)
        assertError(tiny, contains: ["truncated"])
        assertError(try rawFile("{not json", data: [], name: "json.safetensors"), contains: ["not valid JSON"])
        assertError(try rawFile("[1,2]", data: [], name: "array.safetensors"), contains: ["not a JSON object"])
        assertError(try rawFile(#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8), name: "shape.safetensors"),
                    contains: ["'t'", "needs 12 bytes"])
        assertError(try rawFile(#"{"t":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8), name: "dtype.safetensors"),
                    contains: ["'t'", "unsupported dtype F64"])
        assertError(try rawFile(#"{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: Array(repeating: 0, count: 4), name: "neg.safetensors"),
                    contains: ["'t'", "shape"])
        assertError(try rawFile(#"{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: Array(repeating: 0, count: 4), name: "huge.safetensors"),
                    contains: ["'t'"])
        assertError(try rawFile(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: Array(repeating: 0, count: 4), name: "rev.safetensors"),
                    contains: ["'t'", "data_offsets"])
        assertError(try rawFile(#"{"u":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: Array(repeating: 0, count: 4), name: "missing.safetensors"),
                    contains: ["no tensor named 't'"])
        assertError(folder.appendingPathComponent("absent.safetensors"), contains: ["cannot read"])
        let file = try SafeTensorsFile(url: rawFile(good, data: Array(repeating: 0, count: 8), name: "ok.safetensors"))
        XCTAssertThrowsError(try file.tensor("t", shape: [3])) { XCTAssertTrue("\($0)".contains("expected [3]"), "\($0)") }
    }

    func testReadsTheSharedModelFiles() throws {
        let models = sharedFolder.appendingPathComponent("models")
        let encoder = try SafeTensorsFile(url: models.appendingPathComponent("taesd/taef2_encoder.safetensors"))
        XCTAssertEqual(encoder.names.count, 79)  // MANIFEST.md
        XCTAssertEqual(try encoder.allTensors().values.reduce(0) { $0 + $1.count }, 1_338_528)
        XCTAssertEqual(try encoder.tensor("0.weight").shape, [64, 3, 3, 3])
        XCTAssertEqual(try encoder.tensor("14.weight").shape[0], 32)
        let pnet = try SafeTensorsFile(url: models.appendingPathComponent("mtcnn/pnet.safetensors"))
        XCTAssertEqual(pnet.names.count, 13)
        let detector = try SafeTensorsFile(url: models.appendingPathComponent("mediapipe/face_detection_short_range.safetensors"))
        XCTAssertEqual(detector.names.count, 85)
        XCTAssertEqual(detector.entries.values.filter { $0.dtype == .i32 }.count, 11)
        XCTAssertEqual(try detector.allTensors().values.reduce(0) { $0 + $1.count }, 101_390)
    }
}
