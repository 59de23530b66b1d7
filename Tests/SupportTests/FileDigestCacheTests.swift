import Foundation
import XCTest
@testable import Support

/// Issue 17: a file whose size and modification time match its cache entry is not hashed again;
/// a changed file is. Entries never go into a folder without write permission.
final class FileDigestCacheTests: XCTestCase {
    var folder: URL!
    let fm = FileManager.default

    override func setUpWithError() throws {
        folder = fm.temporaryDirectory.appendingPathComponent("digest-cache-\(UUID().uuidString)")
        try fm.createDirectory(at: folder.appendingPathComponent("weights"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent("weights").path)
        try? fm.removeItem(at: folder)
    }

    /// Replaces the digest of the file's entry: a cache that is used returns it; one that hashes does not.
    func forge(_ entry: URL) throws {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: entry)) as? [String: Any])
        object["sha256"] = String(repeating: "f", count: 64)
        try JSONSerialization.data(withJSONObject: object).write(to: entry)
    }

    func testAMatchingEntryIsUsedAndAChangedFileIsHashedAgain() throws {
        let cache = FileDigestCache(userFolder: folder.appendingPathComponent("user"))
        let file = folder.appendingPathComponent("weights/taef2_encoder.safetensors")
        try Data(repeating: 7, count: 100_000).write(to: file)
        let real = try SHA256.hex(fileAt: file)
        XCTAssertEqual(try cache.sha256(of: file), real)
        let entry = folder.appendingPathComponent("weights/.taef2_encoder.safetensors.sha256.json")
        XCTAssertTrue(fm.fileExists(atPath: entry.path), "the entry sits next to the weights")
        XCTAssertFalse(fm.fileExists(atPath: folder.appendingPathComponent("user").path))

        try forge(entry)
        XCTAssertEqual(try cache.sha256(of: file), String(repeating: "f", count: 64), "unchanged file: the entry, no hashing")

        // A new modification time: hashed again, and the entry rewritten.
        let time = try XCTUnwrap(fm.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
        try fm.setAttributes([.modificationDate: time.addingTimeInterval(-60)], ofItemAtPath: file.path)
        XCTAssertEqual(try cache.sha256(of: file), real)
        try forge(entry)
        XCTAssertEqual(try cache.sha256(of: file), String(repeating: "f", count: 64))

        // A new size with the old time: hashed again.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([1]))
        try handle.close()
        try fm.setAttributes([.modificationDate: time.addingTimeInterval(-60)], ofItemAtPath: file.path)
        let grown = try SHA256.hex(fileAt: file)
        XCTAssertNotEqual(grown, real)
        XCTAssertEqual(try cache.sha256(of: file), grown)
    }

    func testAReadOnlyFolderIsNeverWrittenTheEntryGoesToTheUserCache() throws {
        let user = folder.appendingPathComponent("user")
        let cache = FileDigestCache(userFolder: user)
        let weights = folder.appendingPathComponent("weights")
        let file = weights.appendingPathComponent("decoder.safetensors")
        try Data(repeating: 3, count: 5000).write(to: file)
        try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: weights.path)
        let real = try SHA256.hex(fileAt: file)
        XCTAssertEqual(try cache.sha256(of: file), real)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: weights.path), ["decoder.safetensors"], "nothing written beside the weights")
        let entries = try fm.contentsOfDirectory(at: user, includingPropertiesForKeys: nil)
        XCTAssertEqual(entries.count, 1)
        XCTAssertTrue(entries[0].lastPathComponent.hasPrefix("decoder.safetensors-"), entries[0].path)
        try forge(entries[0])
        XCTAssertEqual(try cache.sha256(of: file), String(repeating: "f", count: 64), "the user cache's entry is used")
    }

    func testUserFolderFollowsXDG() {
        XCTAssertEqual(FileDigestCache.defaultUserFolder(environment: ["XDG_CACHE_HOME": "/tmp/xdg"]).path, "/tmp/xdg/plateswap/sha256")
        XCTAssertTrue(FileDigestCache.defaultUserFolder(environment: [:]).path.hasSuffix("/.cache/plateswap/sha256"))
    }

    func testLargeFilesHashInChunksLikeOneBuffer() throws {
        // Crosses the 4 MiB read size: the streamed digest equals the digest of the whole data.
        var bytes = [UInt8](repeating: 0, count: SHA256.chunkSize * 2 + 12_345)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        let file = folder.appendingPathComponent("big.bin")
        try Data(bytes).write(to: file)
        XCTAssertEqual(try SHA256.hex(fileAt: file), SHA256.hex(Data(bytes)))
        XCTAssertThrowsError(try SHA256.hex(fileAt: folder.appendingPathComponent("missing.bin")))
    }
}
