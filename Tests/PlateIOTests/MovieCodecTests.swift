import Foundation
import XCTest
@testable import PlateIO

/// Every movie codec and container the issue names, as tiny clips the ffmpeg CLI makes from the
/// shared ProRes plate: each frame decoded by MovieReader (also after a seek) must match the
/// ffmpeg CLI's decode of the same frame. ProRes .mov and H.264 .mp4 from the shared data are
/// checked in MovieReaderTests.
final class MovieCodecTests: XCTestCase {
    struct Clip {
        let file: String
        let codec: String
        let pixelFormat: String
        let encoder: [String]
        /// What FFmpeg's decoder reports (its ProRes 4444 decoder outputs 12 bits).
        var decodedFormat: String? = nil
    }

    static let clips = [
        Clip(file: "dnxhr.mov", codec: "dnxhd", pixelFormat: "yuv422p", encoder: ["-c:v", "dnxhd", "-profile:v", "dnxhr_lb"]),
        Clip(file: "h264.mov", codec: "h264", pixelFormat: "yuv420p", encoder: ["-c:v", "libx264", "-preset", "ultrafast", "-bf", "2"]),
        Clip(file: "hevc.mp4", codec: "hevc", pixelFormat: "yuv420p", encoder: ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"]),
        Clip(file: "hevc10.mov", codec: "hevc", pixelFormat: "yuv420p10le", encoder: ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"]),
        Clip(file: "prores4444.mov", codec: "prores", pixelFormat: "yuv444p10le", encoder: ["-c:v", "prores_ks", "-profile:v", "4"],
             decodedFormat: "yuv444p12le"),
    ]

    func testEveryCodecAndContainerMatchesFFmpegCLI() throws {
        let source = try MovieTestSupport.data("plates/s18_prores422hq.mov")
        let dir = try MovieTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let width = 256, height = 144, frames = 8
        for clip in Self.clips {
            let url = dir.appendingPathComponent(clip.file)
            _ = try MovieTestSupport.ffmpeg(["-i", source.path, "-frames:v", String(frames), "-vf", "scale=\(width):\(height)",
                                             "-pix_fmt", clip.pixelFormat] + clip.encoder + ["-g", "4", url.path])
            let info = try MovieInfo.probe(url, countFrames: true)
            XCTAssertEqual(info.codec, clip.codec, clip.file)
            XCTAssertEqual(info.pixelFormat, clip.decodedFormat ?? clip.pixelFormat, clip.file)
            XCTAssertEqual([info.width, info.height, info.frameCount], [width, height, frames], clip.file)

            let reader = try MovieReader(url: url, threads: 2)
            var decoded: [[Float]] = []
            for expected in 0..<frames {
                let frame = try XCTUnwrap(reader.nextFrame(), "\(clip.file) frame \(expected)")
                XCTAssertEqual(frame.index, expected, clip.file)
                if expected == 5 { decoded = frame.image.planes }
            }
            XCTAssertNil(try reader.nextFrame(), "\(clip.file) ends after \(frames) frames")
            let reference = try MovieTestSupport.referenceFrame(url, frame: 5, width: width, height: height)
            let d = MovieTestSupport.maxAndMeanDifference(decoded, reference)
            XCTAssertLessThan(d.max, 1e-3, "\(clip.file): max difference vs ffmpeg CLI")
            XCTAssertLessThan(d.mean, 1e-5, clip.file)
            XCTAssertGreaterThan(decoded[1].max() ?? 0, 0.2, "\(clip.file) is not black")
            // Frame-accurate seek: back to frame 5 past a key frame (GOP of 4) gives the same pixels.
            XCTAssertEqual(try MovieReader(url: url).read(frame: 5).planes, decoded, "\(clip.file) seek")
        }
    }
}
