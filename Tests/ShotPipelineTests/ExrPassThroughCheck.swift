import Foundation
import XCTest

/// The independent pass-through check the EXR output tests share.
enum ExrPassThroughCheck {
    /// Runs scripts/check_exr_passthrough.py with OpenEXR's Python bindings (.venv-exr, or
    /// PLATESWAP_EXR_PYTHON) and asserts it found no difference; nil when the bindings are absent.
    static func python(plate: URL, output: URL, swapped: String, dump: [String],
                       file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = ProcessInfo.processInfo.environment["PLATESWAP_EXR_PYTHON"] ?? root.appendingPathComponent(".venv-exr/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("OpenEXR's Python bindings not found at \(python): the independent channel-by-channel check did not run")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("scripts/check_exr_passthrough.py").path, plate.path, output.path,
                             "--swapped", swapped] + dump.flatMap { ["--dump", $0] }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let report = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(report)
        XCTAssertEqual(process.terminationStatus, 0, report, file: file, line: line)
        return report
    }
}
