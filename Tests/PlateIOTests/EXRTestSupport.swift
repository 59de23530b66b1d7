import Foundation
import XCTest
@testable import PlateIO

/// Shared test data and helpers for the EXR tests.
enum ExrTestData {
    /// `<repo root>/../shared`, or `$PLATESWAP_SHARED`.
    static var shared: URL {
        if let path = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: path) }
        let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static var conformance: URL { shared.appendingPathComponent("data/exr") }
    static var fuzzCorpus: URL { shared.appendingPathComponent("data/exr-damaged") }

    static func files(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent != "README.md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// What the data README's "a correct reader" column asks of each conformance file.
    enum Expectation { case read, reject, either, luminanceChroma }

    /// Parses ../shared/data/README.md's exr table: file name -> expectation.
    static func expectations() throws -> [String: Expectation] {
        let text = try String(contentsOf: shared.appendingPathComponent("data/README.md"), encoding: .utf8)
        var result: [String: Expectation] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") && line.contains(".exr |") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 13, cells[1].hasSuffix(".exr") else { continue }
            let name = cells[1], verdict = cells[11]
            if name.contains("garbled") {
                result[name] = .either
            } else if name.contains("truncated") || name.contains("corrupt") || verdict.hasPrefix("reject")
                || verdict.contains("must fail") {
                result[name] = .reject
            } else if verdict.contains("luminance/chroma") && name.contains("_YC") {
                result[name] = .luminanceChroma
            } else {
                result[name] = .read
            }
        }
        return result
    }

    static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a command line tool; returns (status, stdout, stderr).
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes before waiting, so a chatty tool cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
    }

    /// oiiotool arguments that decode `file`'s part `part` and write it as uncompressed float scanlines.
    static func oiiotoolDecodeArguments(_ file: URL, part: Int, to output: URL) -> [String] {
        [file.path, "--subimage", String(part), "--unmip", "-d", "float", "--scanline", "--compression", "none", "-o", output.path]
    }
}

/// Asserts two Float32 planes are identical bit for bit (any NaN equals any NaN).
func assertIdenticalPlanes(_ a: [Float], _ b: [Float], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    guard a.count == b.count else {
        XCTFail("\(label): \(a.count) vs \(b.count) values", file: file, line: line)
        return
    }
    var mismatches = 0, first = -1
    for i in 0..<a.count where !(a[i].bitPattern == b[i].bitPattern || (a[i].isNaN && b[i].isNaN)) {
        mismatches += 1
        if first < 0 { first = i }
    }
    if mismatches > 0 {
        XCTFail("\(label): \(mismatches) of \(a.count) values differ, first at \(first): \(a[first]) vs \(b[first])", file: file, line: line)
    }
}
