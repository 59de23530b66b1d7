import Foundation
import XCTest
@testable import Imaging
@testable import PlateIO

final class SequenceReaderTests: XCTestCase {
    func testPNG16SequenceListingAndRead() throws {
        let first = try MovieTestSupport.data("plates/s18_png16/plate.1001.png")
        let (pattern, frame) = try XCTUnwrap(SequencePattern.detect(fromFile: first))
        XCTAssertEqual(frame, 1001)
        XCTAssertTrue(SequenceReader.canRead(pattern))
        let listing = try pattern.listing(range: FrameRange(parsing: "1001-1006"))
        XCTAssertEqual(listing.found, [1001, 1002, 1003, 1004])
        XCTAssertEqual(listing.missing, [1005, 1006])
        let reader = SequenceReader(pattern: pattern)
        XCTAssertEqual(try reader.read(frame: 1003), try PNGFile.read(pattern.url(frame: 1003)))
        XCTAssertThrowsError(try reader.read(frame: 1005)) { error in
            XCTAssertEqual((error as? MediaError)?.frame, 1005)
            XCTAssertTrue("\(error)".contains("plate.1005.png: frame 1005: open: missing frame"), "\(error)")
        }
    }

    /// PNG (8-bit), DPX (10-bit), TIFF (16-bit), JPEG: decoded like the ffmpeg CLI decodes them.
    func testOtherFormatsMatchFFmpegCLI() throws {
        let source = try MovieTestSupport.data("plates/s18_png16/plate.1001.png")
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, pixelFormat, tolerance) in [("p.0001.png", "rgb24", Float(1e-7)), ("p.0001.dpx", "gbrp10le", 1e-7), ("p.0001.tif", "rgb48le", 1e-7),
                                               ("p.0001.jpg", "yuvj420p", 2e-3)] {
            let url = dir.appendingPathComponent(name)
            _ = try MovieTestSupport.ffmpeg(["-i", source.path, "-vf", "scale=160:90", "-pix_fmt", pixelFormat, url.path])
            let image = try SequenceReader(pattern: SequencePattern(dir.appendingPathComponent(name.replacingOccurrences(of: "0001", with: "####")).path)).read(frame: 1)
            XCTAssertEqual([image.width, image.height], [160, 90], name)
            let reference: [[Float]]
            if pixelFormat == "yuvj420p" {
                let filter = "scale=in_color_matrix=bt601:in_range=pc:out_range=pc:flags=bicubic+accurate_rnd+full_chroma_int+full_chroma_inp,format=gbrpf32le"
                let raw = try MovieTestSupport.ffmpeg(["-i", url.path, "-vf", filter, "-f", "rawvideo", "-"])
                reference = MovieTestSupport.gbrpf32(raw, width: 160, height: 90)
            } else if pixelFormat == "rgb24" {
                // 8-bit RGB: the exact code values / 255.
                let raw = try MovieTestSupport.ffmpeg(["-i", url.path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
                reference = (0..<3).map { c in (0..<(160 * 90)).map { Float(raw[raw.startIndex + 3 * $0 + c]) / 255 } }
            } else {
                // Integer RGB: the exact code values, code / (2^bits - 1).
                let rawFormat = pixelFormat == "gbrp10le" ? "gbrp10le" : "gbrp16le"   // what the decoders output
                let raw = try MovieTestSupport.ffmpeg(["-i", url.path, "-f", "rawvideo", "-pix_fmt", rawFormat, "-"])
                let codes: [UInt16] = raw.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
                let maximum: Float = pixelFormat == "gbrp10le" ? 1023 : 65535
                let n = 160 * 90
                let plane = { (p: Int) in (0..<n).map { Float(codes[p * n + $0]) / maximum } }
                reference = [plane(2), plane(0), plane(1)]
            }
            let d = MovieTestSupport.maxAndMeanDifference(image.planes, reference)
            XCTAssertLessThan(d.max, tolerance, name)
            XCTAssertGreaterThan(image.planes[0].max()!, 0.1, "\(name) is not black")
        }
    }
}
