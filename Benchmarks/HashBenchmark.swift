import Foundation
import Support

/// `plateswap-bench hash`: the sha256 of a 335 MB file (an SD VAE's weights), streamed through
/// `SHA256.hex(fileAt:)`, against coreutils' sha256sum on the same file, and the cached lookup
/// (`FileDigestCache`) a farm task makes instead of hashing.
enum HashBenchmark {
    static let bytes = 335 * 1_000_000

    static func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-hash-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("vae.safetensors")
        try writeNoise(to: file)
        _ = try SHA256.hex(fileAt: file)  // pages the file into memory: every timing below reads it from RAM
        let ours = try (0..<3).map { _ in try MediaBenchmark.time { _ = try SHA256.hex(fileAt: file) } }.min()!
        let coreutils = try (0..<3).map { _ in try MediaBenchmark.time { try sha256sum(file) } }.min()!
        let cache = FileDigestCache(userFolder: folder.appendingPathComponent("user"))
        let first = try MediaBenchmark.time { _ = try cache.sha256(of: file) }
        let cached = try (0..<5).map { _ in try MediaBenchmark.time { _ = try cache.sha256(of: file) } }.min()!
        print(String(format: "hash: 335 MB file, ms (best of 3): SHA256.hex(fileAt:) %.0f (%.2f GB/s), sha256sum %.0f, ratio %.2f",
                     ours, Double(bytes) / ours / 1e6, coreutils, ours / coreutils))
        print(String(format: "hash: FileDigestCache first lookup (hash + entry) %.0f ms, cached lookup %.3f ms (best of 5)", first, cached))
    }

    /// Pseudo-random bytes (no run the hash or the disk could shortcut), written 4 MB at a time.
    static func writeNoise(to file: URL) throws {
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var chunk = [UInt64](repeating: 0, count: (4 << 20) / 8)
        var left = bytes
        while left > 0 {
            for i in chunk.indices {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                chunk[i] = state
            }
            let count = min(left, chunk.count * 8)
            try chunk.withUnsafeBytes { try handle.write(contentsOf: Data($0.prefix(count))) }
            left -= count
        }
    }

    static func sha256sum(_ file: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }
}
