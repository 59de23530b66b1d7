import Foundation
import XCTest
@testable import Imaging
@testable import PlateIO

final class PNGFileTests: XCTestCase {
    func testReads16BitPlateExactly() throws {
        let url = try MovieTestSupport.data("plates/s18_png16/plate.1001.png")
        let image = try PNGFile.read(url)
        XCTAssertEqual([image.width, image.height], [1280, 720])
        XCTAssertEqual(image.channelNames, ["R", "G", "B"])
        // Independent decode: the CLI's raw 16-bit samples.
        let raw = try MovieTestSupport.ffmpeg(["-i", url.path, "-f", "rawvideo", "-pix_fmt", "rgb48le", "-"])
        let codes: [UInt16] = raw.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        XCTAssertEqual(codes.count, 1280 * 720 * 3)
        var mismatches = 0
        for i in stride(from: 0, to: 1280 * 720, by: 7) {
            for c in 0..<3 where image.planes[c][i] != Float(codes[3 * i + c]) / 65535 { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertTrue(image.planes[0].contains { ($0 * 65535).rounded().truncatingRemainder(dividingBy: 257) != 0 },
                      "full 16-bit values, not 8-bit x 257")
    }

    func testRoundTrip16BitIsBitExactAnd8BitRounds() throws {
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var image = ImageBuffer(width: 37, height: 23, channels: ["R", "G", "B", "A"])
        for c in 0..<4 { for i in 0..<image.pixelCount { image.planes[c][i] = Float((i * 7919 + c * 104729) % 65536) / 65535 } }
        let url16 = dir.appendingPathComponent("face.png")
        try PNGFile.write(image, bitDepth: 16, to: url16)
        XCTAssertEqual(try PNGFile.read(url16), image)
        let again = dir.appendingPathComponent("again.png")
        try PNGFile.write(try PNGFile.read(url16), bitDepth: 16, to: again)
        XCTAssertEqual(try PNGFile.read(again), image)
        // ffmpeg reads what we wrote: 16-bit RGBA.
        let raw = try MovieTestSupport.ffmpeg(["-i", url16.path, "-f", "rawvideo", "-pix_fmt", "rgba64le", "-"])
        let codes: [UInt16] = raw.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        XCTAssertEqual(Float(codes[4 * 100 + 3]) / 65535, image.planes[3][100])

        let url8 = dir.appendingPathComponent("face8.png")
        var rgb = image.selecting(["R", "G", "B"])
        rgb.planes[0][0] = .nan
        rgb.planes[1][0] = 1.7
        rgb.planes[2][0] = -0.2
        try PNGFile.write(rgb, bitDepth: 8, to: url8)
        let back = try PNGFile.read(url8)
        XCTAssertEqual(back.channelNames, ["R", "G", "B"])
        XCTAssertEqual([back.planes[0][0], back.planes[1][0], back.planes[2][0]], [0, 1, 0], "NaN -> 0, clamped")
        for i in 1..<rgb.pixelCount { XCTAssertEqual(back.planes[1][i], (rgb.planes[1][i] * 255).rounded() / 255, accuracy: 1e-7) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary files left")
    }

    func testGreyPNGAndErrors() throws {
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let grey = dir.appendingPathComponent("grey.png")
        _ = try MovieTestSupport.ffmpeg(["-f", "lavfi", "-i", "color=c=0x404040:s=8x4", "-frames:v", "1", "-pix_fmt", "gray16be", grey.path])
        let image = try PNGFile.read(grey)
        XCTAssertEqual(image.channelNames, ["R", "G", "B"])
        XCTAssertEqual(image.planes[0], image.planes[2])
        let raw = try MovieTestSupport.ffmpeg(["-i", grey.path, "-f", "rawvideo", "-pix_fmt", "gray16le", "-"])
        let codes: [UInt16] = raw.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        XCTAssertEqual(image.planes[1][5], Float(codes[5]) / 65535)
        XCTAssertGreaterThan(image.planes[1][5], 0.2)

        let junk = dir.appendingPathComponent("junk.png")
        try Data(repeating: 0x42, count: 300).write(to: junk)
        XCTAssertThrowsError(try PNGFile.read(junk)) { XCTAssertTrue("\($0)".contains("junk.png"), "\($0)") }
        let cut = dir.appendingPathComponent("cut.png")
        try Data(contentsOf: MovieTestSupport.data("plates/s18_png16/plate.1001.png")).prefix(5000).write(to: cut)
        XCTAssertThrowsError(try PNGFile.read(cut)) { XCTAssertTrue("\($0)".contains("cut.png"), "\($0)") }
        XCTAssertThrowsError(try PNGFile.read(dir.appendingPathComponent("none.png")))
        XCTAssertThrowsError(try PNGFile.write(ImageBuffer(width: 2, height: 2, channels: ["Y"]), to: junk)) {
            XCTAssertTrue("\($0)".contains("R, G, B"), "\($0)")
        }
        XCTAssertThrowsError(try PNGFile.write(image, bitDepth: 12, to: junk))
    }

    /// FFmpeg's own reason for a failure reaches stderr as one plateswap log line, not in FFmpeg's
    /// "[png @ 0x...]" format.
    func testFFmpegLogLinesUsePlateswapFormat() throws {
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junk = dir.appendingPathComponent("junk.png")
        try Data(repeating: 0x42, count: 300).write(to: junk)
        let logged = try captureStandardError {
            XCTAssertThrowsError(try PNGFile.read(junk))
        }
        let lines = logged.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty, "FFmpeg said nothing about junk.png")
        for line in lines {
            XCTAssertTrue(line.hasPrefix("plateswap: ffmpeg: "), String(line))
            XCTAssertFalse(line.contains("@ 0x"), String(line))
        }
        XCTAssertTrue(lines.contains { $0.contains("png: ") && $0.contains("PNG signature") }, logged)
    }

    /// Runs `body` with file descriptor 2 sent to a pipe; returns what was written there.
    private func captureStandardError(_ body: () throws -> Void) throws -> String {
        let pipe = Pipe()
        fflush(stderr)
        let saved = dup(2)
        dup2(pipe.fileHandleForWriting.fileDescriptor, 2)
        do {
            defer {
                fflush(stderr)
                dup2(saved, 2)
                close(saved)
            }
            try body()
        }
        try pipe.fileHandleForWriting.close()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
