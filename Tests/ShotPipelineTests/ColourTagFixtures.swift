import Foundation
import Imaging
import PlateIO
import XCTest

/// Tiny tagged movies and PNGs made by the tests themselves: movies by the ffmpeg CLI (FFV1 in
/// Matroska, lossless RGB, so decoded values are the code values written), PNGs by PNGFile with
/// colour chunks spliced in after IHDR.
enum ColourTagFixtures {
    static let size = (width: 16, height: 8)

    /// The code value of channel `c` of pixel `i` in frame `frame` (0...255, every value varied).
    static func code(_ i: Int, _ c: Int, frame: Int) -> UInt8 { UInt8((i * 37 + c * 71 + frame * 13 + 5) % 256) }

    /// Two frames of RGB code values, written with `tags` (ffmpeg options such as
    /// `["-color_primaries", "bt2020"]`) to `url` (`.mkv`).
    static func movie(_ url: URL, tags: [String]) throws {
        let raw = url.deletingPathExtension().appendingPathExtension("rgb")
        let n = size.width * size.height
        try Data((0..<2).flatMap { f in (0..<n).flatMap { i in (0..<3).map { code(i, $0, frame: f) } } }).write(to: raw)
        defer { try? FileManager.default.removeItem(at: raw) }
        try tool(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(size.width)x\(size.height)",
                  "-r", "24", "-i", raw.path, "-c:v", "ffv1"] + tags + [url.path])
    }

    /// Runs a tool on the PATH; a failure is thrown with its stderr.
    static func tool(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: arguments[0], code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: String(decoding: message, as: UTF8.self)])
        }
    }

    /// A 16-bit PNG of `size` whose code values are `code(i, c, frame: 0) * 256 + c`, with `chunks`
    /// (type, body) inserted after IHDR.
    static func png(_ url: URL, chunks: [(String, [UInt8])]) throws {
        let n = size.width * size.height
        let image = ImageBuffer(width: size.width, height: size.height, channels: ["R", "G", "B"],
                                planes: (0..<3).map { c in (0..<n).map { Float(pngCode($0, c)) / 65535 } })
        try PNGFile.write(image, bitDepth: 16, to: url)
        var bytes = [UInt8](try Data(contentsOf: url))
        // The signature (8) and IHDR (4 + 4 + 13 + 4): check our CRC against the encoder's first.
        let ihdr = Array(bytes[12..<29])
        XCTAssertEqual(Array(bytes[29..<33]), bigEndian(crc32(ihdr)), "the test's CRC-32 disagrees with FFmpeg's PNG encoder")
        var inserted: [UInt8] = []
        for (type, body) in chunks {
            let typed = Array(type.utf8) + body
            inserted += bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
        }
        bytes.insert(contentsOf: inserted, at: 33)
        try Data(bytes).write(to: url)
    }

    static func pngCode(_ i: Int, _ c: Int) -> Int { Int(code(i, c, frame: 0)) * 256 + c }

    static func gAMA(_ gamma: Double) -> (String, [UInt8]) { ("gAMA", bigEndian(UInt32((gamma * 100000).rounded()))) }

    static func cHRM(_ c: Chromaticities) -> (String, [UInt8]) {
        let values: [Double] = [c.white, c.red, c.green, c.blue].flatMap { [$0.x, $0.y] }
        return ("cHRM", values.flatMap { bigEndian(UInt32(($0 * 100000).rounded())) })
    }

    static let sRGB = ("sRGB", [UInt8(0)])

    /// An iCCP chunk named `name` whose "profile" is a few bytes in a zlib stream of one stored block
    /// (decoders inflate it; plateswap reads only the name).
    static func iCCP(_ name: String) -> (String, [UInt8]) {
        let profile = Array("not a real ICC profile".utf8)
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in profile { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let length = UInt16(profile.count)
        let header: [UInt8] = [0x78, 0x01, 0x01, UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8(~length >> 8)]
        let zlib = header + profile + bigEndian(b << 16 | a)
        return ("iCCP", Array(name.utf8) + [0, 0] + zlib)
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xedb8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    /// Runs `body` with file descriptor 2 sent to a temporary file; returns its result and what was
    /// written to stderr meanwhile (plateswap's log lines).
    static func capturingStandardError<T>(_ body: () throws -> T) throws -> (T, String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        fflush(stderr)
        let saved = dup(2)
        dup2(handle.fileDescriptor, 2)
        let result: Result<T, Error> = Result { try body() }
        fflush(stderr)
        dup2(saved, 2)
        close(saved)
        try handle.close()
        return (try result.get(), try String(contentsOf: file, encoding: .utf8))
    }
}
