import Foundation
import XCTest

/// External programs the farm tests run: the built plateswap binary and the openjd CLI.
enum FarmTools {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let environment = ProcessInfo.processInfo.environment

    /// ../shared beside the checkout (or PLATESWAP_SHARED).
    static let shared: URL = environment["PLATESWAP_SHARED"].map { URL(fileURLWithPath: $0) }
        ?? repoRoot.appendingPathComponent("../shared").standardizedFileURL

    /// `PLATESWAP_BIN`, else the release build's binary (scripts/test builds it before testing).
    static func plateswap() throws -> URL {
        let url = environment["PLATESWAP_BIN"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.appendingPathComponent(".build/release/plateswap")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            XCTFail("no plateswap binary at \(url.path): run `swift build -c release` first (or set PLATESWAP_BIN)")
            throw XCTSkip("plateswap binary missing")
        }
        return url
    }

    /// `PLATESWAP_OPENJD`, else `.venv/bin/openjd` (installed by scripts/install-openjd). Missing
    /// openjd fails the test unless `PLATESWAP_SKIP_OPENJD=1` says to skip it.
    static func openjd() throws -> URL {
        let url = environment["PLATESWAP_OPENJD"].map { URL(fileURLWithPath: $0) }
            ?? repoRoot.appendingPathComponent(".venv/bin/openjd")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        if environment["PLATESWAP_SKIP_OPENJD"] == "1" { throw XCTSkip("openjd not installed (PLATESWAP_SKIP_OPENJD=1)") }
        XCTFail("no openjd at \(url.path): run scripts/install-openjd (or set PLATESWAP_OPENJD, or PLATESWAP_SKIP_OPENJD=1 to skip)")
        throw XCTSkip("openjd missing")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion; output goes through files so a chatty child never blocks.
    @discardableResult
    /// `environment`: variables to set (a nil value removes one) on top of this process's.
    static func run(_ program: URL, _ arguments: [String], in directory: URL? = nil,
                    environment changes: [String: String?] = [:]) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var variables = environment
        for (name, value) in changes { variables[name] = value }
        process.environment = variables
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
