import Crypto
import Foundation

/// SHA-256 (FIPS 180-4) for cache keys, codec ids and config hashes: swift-crypto's, whose
/// BoringSSL core uses the CPU's SHA extensions or vector units (a 335 MB file in a fraction of a
/// second; BENCHMARKS.md, "Hashing").
public struct SHA256 {
    private var hasher = Crypto.SHA256()

    public init() {}

    public mutating func update(_ data: Data) { hasher.update(data: data) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    public mutating func update(_ string: String) { hasher.update(data: Data(string.utf8)) }

    /// Finishes the hash and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] { Array(hasher.finalize()) }

    /// Finishes the hash and returns the digest as 64 lowercase hex digits.
    public mutating func finalizeHex() -> String { finalize().map { String(format: "%02x", $0) }.joined() }

    public static func hex(_ data: Data) -> String {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalizeHex()
    }

    public static func hex(_ string: String) -> String { hex(Data(string.utf8)) }

    /// Hash of a file's contents, streamed through one 4 MiB buffer (a 335 MB weights file is
    /// never held in memory).
    public static func hex(fileAt url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let descriptor = handle.fileDescriptor
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: url.path, reason: String(cString: strerror(errno)))
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalizeHex()
    }

    static let chunkSize = 4 << 20

    /// A file that opened but could not be read to its end.
    public struct ReadError: Error, CustomStringConvertible, LocalizedError {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot read: \(reason)" }
        public var errorDescription: String? { description }
    }
}
