import Foundation
import XCTest

/// ../shared beside the checkout (or PLATESWAP_SHARED), and a way to run the built CLI.
enum ExtractFixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let shared: URL = {
        if let env = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: env) }
        return repoRoot.appendingPathComponent("../shared").standardizedFileURL
    }()

    static func data(_ path: String) -> URL { shared.appendingPathComponent("data/\(path)") }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The `plateswap` binary of the same build as the tests (scripts/test builds it first).
    static func binary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("plateswap"),
            Bundle.main.bundleURL.appendingPathComponent("plateswap"),
            repoRoot.appendingPathComponent(".build/release/plateswap"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            struct NotBuilt: Error, CustomStringConvertible { var description: String }
            throw NotBuilt(description: "no built plateswap binary next to the tests; run `swift build -c release -Xswiftc -enable-testing` first (scripts/test does)")
        }
        return found
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the CLI (in `directory`, with `environment` added); stdout and stderr are read
    /// concurrently so neither pipe can fill up and block.
    static func plateswap(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }
}
