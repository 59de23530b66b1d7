import Foundation
import XCTest

/// Runs the built `plateswap` binary (beside the test bundle in the products folder) as a user would.
enum CLI {
    struct Result {
        let status: Int32
        let out: String
        let err: String
    }

    static var binary: URL {
        #if os(macOS)
        let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }!.bundleURL.deletingLastPathComponent()
        #else
        let products = Bundle.main.bundleURL
        #endif
        return products.appendingPathComponent("plateswap")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("build the plateswap binary first (swift build): \(binary.path) is missing")
        }
        return try run(executable: binary, arguments, environment: environment)
    }

    /// Any program (e.g. /usr/bin/env ffmpeg ...), its text output captured like the binary's.
    static func run(executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Files, not pipes: a child filling one pipe while we wait on the other would block.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus, out: try String(contentsOf: outURL, encoding: .utf8),
                      err: try String(contentsOf: errURL, encoding: .utf8))
    }

    /// `<repo>/../shared` or PLATESWAP_SHARED.
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
    }()

    static func sharedFile(_ path: String) throws -> URL {
        let url = shared.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("shared data missing: \(url.path)") }
        return url
    }

    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text.prefix(200))")
    }
}
