import Foundation
import XCTest
@testable import PlateIO

final class MovieReaderTests: XCTestCase {
    func testProbe() throws {
        let prores = try MovieInfo.probe(MovieTestSupport.data("plates/s18_prores422hq.mov"))
        XCTAssertEqual(prores.codec, "prores")
        XCTAssertEqual([prores.width, prores.height, prores.frameCount], [1280, 720, 24])
        XCTAssertEqual(prores.frameRate, 30)
        XCTAssertEqual(prores.pixelFormat, "yuv422p10le")
        XCTAssertEqual(prores.colorSpace, "bt709")
        XCTAssertEqual(prores.timecode, "00:00:03:10")
        let h264 = try MovieInfo.probe(MovieTestSupport.data("footage/hamilton_short.mp4"), countFrames: true)
        XCTAssertEqual(h264.codec, "h264")
        XCTAssertEqual([h264.width, h264.height, h264.frameCount], [640, 360, 275])
        XCTAssertEqual(h264.frameRateNumerator, 2997)
        XCTAssertEqual(h264.frameRateDenominator, 100)
        let json = try JSONEncoder().encode(h264)
        XCTAssertEqual(try JSONDecoder().decode(MovieInfo.self, from: json), h264)
    }

    func testProResFrameMatchesFFmpegCLI() throws {
        let url = try MovieTestSupport.data("plates/s18_prores422hq.mov")
        let reader = try MovieReader(url: url)
        let image = try reader.read(frame: 5)
        XCTAssertEqual(image.channelNames, ["R", "G", "B"])
        let reference = try MovieTestSupport.referenceFrame(url, frame: 5, width: 1280, height: 720)
        let d = MovieTestSupport.maxAndMeanDifference(image.planes, reference)
        XCTAssertLessThan(d.max, 1e-3, "max difference vs ffmpeg CLI")
        XCTAssertLessThan(d.mean, 1e-5)
    }

    func testH264FrameMatchesFFmpegCLIAndSeekIsFrameAccurate() throws {
        // talking_d6 has B-frames and no colour tags (BT.709 is assumed, as the CLI is told).
        let url = try MovieTestSupport.data("footage/talking_d6.mp4")
        let sequential = try MovieReader(url: url)
        var frames: [Int: [[Float]]] = [:]
        for expected in 0...70 {
            let frame = try XCTUnwrap(sequential.nextFrame())
            XCTAssertEqual(frame.index, expected)
            if [3, 41, 70].contains(expected) { frames[expected] = frame.image.planes }
        }
        let reference = try MovieTestSupport.referenceFrame(url, frame: 41, width: 480, height: 480)
        let d = MovieTestSupport.maxAndMeanDifference(try XCTUnwrap(frames[41]), reference)
        XCTAssertLessThan(d.max, 1e-3)
        XCTAssertLessThan(d.mean, 1e-5)

        let seeking = try MovieReader(url: url)
        for target in [70, 41, 3, 41] {   // forwards past key frames, then backwards
            XCTAssertEqual(try seeking.read(frame: target).planes, frames[target], "frame \(target) after seek")
        }
        let next = try XCTUnwrap(seeking.nextFrame())
        XCTAssertEqual(next.index, 42)
    }

    func testEndOfMovieAndSeekErrors() throws {
        let url = try MovieTestSupport.data("plates/s18_prores422hq.mov")
        let reader = try MovieReader(url: url, threads: 1)
        XCTAssertEqual(try reader.read(frame: 23).width, 1280)
        XCTAssertNil(try reader.nextFrame())
        XCTAssertThrowsError(try reader.read(frame: 24)) { error in
            XCTAssertTrue("\(error)".contains("s18_prores422hq.mov: frame 24"), "\(error)")
        }
        XCTAssertThrowsError(try reader.read(frame: -1))
        XCTAssertEqual(try reader.read(frame: 0).height, 720, "usable after errors")
    }

    func testBadFilesGiveErrorsNamingTheFile() throws {
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.mov")
        try Data("not a movie at all\n".utf8).write(to: text)
        let truncated = dir.appendingPathComponent("cut.mp4")
        let whole = try Data(contentsOf: MovieTestSupport.data("footage/hamilton_short.mp4"))
        try whole.prefix(40_000).write(to: truncated)
        for url in [text, dir.appendingPathComponent("absent.mov")] {
            XCTAssertThrowsError(try MovieReader(url: url)) { error in
                XCTAssertTrue(error is MediaError, "\(error)")
                XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            }
        }
        // A cut file: opening may work (the index is at the front), decoding must end cleanly.
        if let reader = try? MovieReader(url: truncated) {
            var count = 0
            do { while try reader.nextFrame() != nil { count += 1 } } catch {
                XCTAssertTrue("\(error)".contains("cut.mp4"), "\(error)")
            }
            XCTAssertLessThan(count, 275)
        }
    }
}
