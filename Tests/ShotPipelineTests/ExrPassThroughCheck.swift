import Foundation
import XCTest

/// The independent pass-through check the EXR output tests share.
enum ExrPassThroughCheck {
    /// Runs scripts/check_exr_passthrough.py with OpenEXR's Python bindings (.venv-exr, or
    /// PLATESWAP_EXR_PYTHON) and asserts it found no difference; nil when told to skip it (absent bindings fail the test).
    static func python(plate: URL, output: URL, swapped: String, dump: [String],
                       file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        guard let python = interpreter(file: file, line: line) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/check_exr_passthrough.py").path, plate.path, output.path,
                             "--swapped", swapped] + dump.flatMap { ["--dump", $0] }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let report = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(report.count > 2000 ? report.prefix(2000) + "... (\(report.count) characters)" : report)   // the dumps run to 50 kB
        XCTAssertEqual(process.terminationStatus, 0, report, file: file, line: line)
        return report
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Python with OpenEXR's bindings (.venv-exr, or PLATESWAP_EXR_PYTHON); nil when told to skip it (absent bindings fail the test).
    static func interpreter(file: StaticString = #filePath, line: UInt = #line) -> String? {
        let python = ProcessInfo.processInfo.environment["PLATESWAP_EXR_PYTHON"] ?? root.appendingPathComponent(".venv-exr/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            // scripts/install-deps installs them; a missing reader fails the test unless told to skip it.
            if ProcessInfo.processInfo.environment["PLATESWAP_SKIP_EXR_PYTHON"] == "1" {
                print("OpenEXR's Python bindings skipped (PLATESWAP_SKIP_EXR_PYTHON=1): the independent check did not run")
                return nil
            }
            XCTFail("no OpenEXR Python bindings at \(python): run scripts/install-exr-python (or set PLATESWAP_EXR_PYTHON, "
                + "or PLATESWAP_SKIP_EXR_PYTHON=1 to skip the independent check)", file: file, line: line)
            return nil
        }
        return python
    }

    /// Runs `script` with OpenEXR's Python bindings (`arguments` as sys.argv[1...]); false when skipped.
    static func make(script: String, arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        guard let python = interpreter(file: file, line: line) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "the Python script failed", file: file, line: line)
        return process.terminationStatus == 0
    }
}
