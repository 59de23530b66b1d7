import Foundation
import XCTest
@testable import Imaging
@testable import PlateIO

final class PreviewWriterTests: XCTestCase {
    func testEncodesH264ThatDecodesBack() throws {
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("review.mp4")
        let writer = try PreviewWriter(url: url, width: 65, height: 49, frameRate: (24, 1))
        XCTAssertEqual(writer.encoderName, "libx264", "Debian's libavcodec has libx264")
        var frames: [ImageBuffer] = []
        for t in 0..<12 {
            var image = ImageBuffer(width: 65, height: 49, channels: ["R", "G", "B", "A"], fill: 1)
            for y in 0..<49 {
                for x in 0..<65 {
                    image.planes[0][y * 65 + x] = Float(x) / 64
                    image.planes[1][y * 65 + x] = Float(y) / 48
                    image.planes[2][y * 65 + x] = Float(t) / 11
                }
            }
            frames.append(image)
            try writer.append(image)
        }
        XCTAssertThrowsError(try writer.append(ImageBuffer(width: 64, height: 49, channels: ["R", "G", "B"]))) {
            XCTAssertTrue("\($0)".contains("review.mp4"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "no file under the final name before finish")
        try writer.finish()
        let info = try MovieInfo.probe(url, countFrames: true)
        XCTAssertEqual(info.codec, "h264")
        XCTAssertEqual([info.width, info.height, info.frameCount], [66, 50, 12])
        XCTAssertEqual(info.frameRate, 24)
        XCTAssertEqual(info.colorSpace, "bt709")
        let reader = try MovieReader(url: url)
        let decoded = try reader.read(frame: 7)
        var total: Float = 0
        for c in 0..<3 { for y in 0..<49 { for x in 0..<65 { total += abs(decoded.planes[c][y * 66 + x] - frames[7].planes[c][y * 65 + x]) } } }
        XCTAssertLessThan(total / Float(3 * 65 * 49), 0.02, "mean error of the decoded preview")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["review.mp4"])
    }

    func testAbandonedPreviewLeavesNothing() throws {
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let writer = try PreviewWriter(url: dir.appendingPathComponent("gone.mp4"), width: 16, height: 16)
            try writer.append(ImageBuffer(width: 16, height: 16, channels: ["R", "G", "B"], fill: 0.5))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
        XCTAssertThrowsError(try PreviewWriter(url: dir.appendingPathComponent("x.mp4"), width: 0, height: 16))
    }
}
