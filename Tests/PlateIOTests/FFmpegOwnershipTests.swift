import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// Every FFmpeg object PlateIO allocates is freed, on success and on error: opening, reading and
/// dropping many readers and writers keeps the peak resident set flat. One leaked 1280x720 float
/// frame per opened movie alone would be 11 MB an iteration, hundreds of MB over the loop.
final class FFmpegOwnershipTests: XCTestCase {
    func testOpeningAndDroppingReadersAndWritersKeepsMemoryFlat() throws {
        let movie = try MovieTestSupport.data("plates/s18_prores422hq.mov")
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let garbage = dir.appendingPathComponent("garbage.mov"), damagedPNG = dir.appendingPathComponent("damaged.png")
        try Data("not a movie at all\n".utf8).write(to: garbage)
        var picture = ImageBuffer(width: 256, height: 192, channels: ["R", "G", "B", "A"], fill: 0.25)
        picture.planes[1] = picture.planes[1].indices.map { Float($0 % 997) / 997 }
        let png = dir.appendingPathComponent("picture.png")
        try PNGFile.write(picture, to: png)
        try Data(contentsOf: MovieTestSupport.data("plates/s18_png16/plate.1001.png")).prefix(5000).write(to: damagedPNG)

        func round(_ i: Int) throws {
            let reader = try MovieReader(url: movie, threads: 1)
            XCTAssertEqual(try reader.read(frame: i % 3).width, 1280)
            XCTAssertThrowsError(try MovieReader(url: garbage))
            let read = try PNGFile.read(png)
            XCTAssertEqual(read.planes[1], picture.planes[1].map { Float(UInt16($0 * 65535 + 0.5)) / 65535 })
            try PNGFile.write(read, to: dir.appendingPathComponent("again.png"))
            XCTAssertThrowsError(try PNGFile.read(damagedPNG))
            let preview = try PreviewWriter(url: dir.appendingPathComponent("dropped.mp4"), width: 64, height: 48, preset: "ultrafast")
            try preview.append(ImageBuffer(width: 64, height: 48, channels: ["R", "G", "B"], fill: 0.5))
        }
        for i in 0..<5 { try round(i) }   // FFmpeg's and the allocator's one-time set-up
        let baseline = EXRFuzzCorpusTests.resetPeakResidentKiB()
        let start = Date()
        for i in 0..<40 { try round(i) }
        let peak = try XCTUnwrap(EXRFuzzCorpusTests.statusKiB("VmHWM"))
        XCTAssertLessThan(peak - baseline, 96 << 10, "peak resident set above the start, in KiB")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(),
                       ["again.png", "damaged.png", "garbage.mov", "picture.png"], "a dropped preview leaves no file")
        print("FFmpeg ownership: 40 rounds in \(String(format: "%.1f", Date().timeIntervalSince(start))) s, "
            + "peak \((peak - baseline) >> 10) MiB above the start")
    }
}
