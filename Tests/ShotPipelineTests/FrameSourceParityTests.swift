import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// One frame source: `extract` (FaceImageSource) and `run` / `track` (PlateSequence) read every
/// plate kind through PlateIO's `FrameSource`, so the same frame is the same pixels, origin and
/// encoding in both; a movie plate's output carries the movie's timecode.
final class FrameSourceParityTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("frame-source")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func shot(_ plate: String, name: String = "shot") throws -> ShotConfig {
        let url = dir.appendingPathComponent("\(name).yaml")
        try """
            shot: SOURCE
            plate: \(plate)
            output: {path: out-\(name)/swap.####.exr, compression: zip, layers: [rgba, mask]}
            model: {path: model.plateswap}
            face: {size: 64}
            blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
            """.write(to: url, atomically: true, encoding: .utf8)
        return try ShotConfig.load(url)
    }

    /// Every plate kind: EXR (data window = display window, and one cropped inside it), 16-bit PNG,
    /// ProRes and H.264 movies (extract numbers movie frames from 0, a shot from plate.first_frame).
    func testExtractAndRunDecodeTheSameFrameOfEveryPlateKind() throws {
        let cases: [(path: String, extractFrame: Int, runFrame: Int, space: ColorSpace)] = [
            (ExtractFixtures.data("plates/s18_piz").path + "/plate.####.exr", 1003, 1003, .linearRec709),
            (ExtractFixtures.data("plates/s18_dwaa_crop").path + "/plate.####.exr", 1002, 1002, .linearRec709),
            (ExtractFixtures.data("plates/s18_png16").path + "/plate.####.png", 1004, 1004, .srgb),
            (ExtractFixtures.data("plates/s18_prores422hq.mov").path, 5, 1006, .srgb),
            (ExtractFixtures.data("footage/talking_d6.mp4").path, 41, 1042, .srgb),
        ]
        for (index, item) in cases.enumerated() {
            let images = try FaceImageSource(path: item.path, frames: try FrameRange(parsing: "\(item.extractFrame)"))
            XCTAssertEqual(images.items.map(\.frame), [item.extractFrame])
            let extracted = try images.load(images.items[0])
            let plate = try PlateSequence(try shot("{path: '\(item.path)'}", name: "kind\(index)"))
            let read = try plate.read(frame: item.runFrame)

            let name = (item.path as NSString).lastPathComponent
            XCTAssertEqual(plate.colorSpace.builtIn, item.space, name)
            XCTAssertEqual(extracted.encoding, plate.encoding, name)
            XCTAssertEqual(extracted.origin, SIMD2(Float(read.origin.x), Float(read.origin.y)), name)
            let rgb = read.image.selecting(["R", "G", "B"])
            XCTAssertGreaterThan(rgb.pixelCount, 100_000, name)
            XCTAssertEqual(extracted.pixels.width, rgb.width, name)
            XCTAssertEqual(extracted.pixels.height, rgb.height, name)
            for c in 0..<3 {
                XCTAssertTrue(zip(extracted.pixels.planes[c], rgb.planes[c]).allSatisfy { $0.bitPattern == $1.bitPattern },
                              "\(name): channel \(c) of extract's frame \(item.extractFrame) differs from run's frame \(item.runFrame)")
            }
            // What the detector sees is the same too.
            XCTAssertEqual(extracted.image.planes, plate.encoding.encode(rgb).planes, name)
        }
        // The DWAA crop starts inside its display window: both readers place it there.
        let crop = try PlateSequence(try shot("{path: '\(cases[1].path)'}", name: "origin")).read(frame: 1002)
        XCTAssertEqual(crop.origin.x, 100)
        XCTAssertEqual(crop.origin.y, 40)
    }

    /// A luminance-only EXR is grey R = G = B = Y in run and extract alike (run used to refuse it).
    func testLuminanceOnlyEXRIsGreyEverywhere() throws {
        let folder = dir.appendingPathComponent("grey")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let y = (0..<(40 * 30)).map { Float($0 % 97) / 96 }
        try ExrWriter.write(ImageBuffer(width: 40, height: 30, channels: ["Y"], planes: [y]), to: folder.appendingPathComponent("plate.1001.exr"),
                            compression: .zip, pixelType: .float)
        let pattern = folder.path + "/plate.####.exr"
        let run = try PlateSequence(try shot("{path: '\(pattern)'}")).read(frame: 1001)
        XCTAssertEqual(run.image.channelNames, ["R", "G", "B"])
        for c in 0..<3 { XCTAssertEqual(run.image.planes[c], y) }
        let images = try FaceImageSource(path: pattern)
        XCTAssertEqual(try images.load(images.items[0]).pixels.planes, run.image.planes)
    }

    /// Short gaps are decoded forward, long ones and backward steps seek: every order gives the
    /// frames a fresh reader seeking straight to them gives.
    func testMovieFramesAreTheSameInAnyReadOrder() throws {
        var options = FrameSource.Options()
        options.movieFirstFrame = 1001
        let path = ExtractFixtures.data("footage/talking_d6.mp4").path
        let source = try FrameSource(path: path, options: options)
        for frame in [1004, 1006, 1042, 1200, 1100, 1101] {
            let fresh = try FrameSource(path: path, options: options)
            XCTAssertEqual(try source.read(frame: frame).image.planes, try fresh.read(frame: frame).image.planes, "frame \(frame)")
        }
        XCTAssertThrowsError(try source.read(frame: 1000)) { error in
            XCTAssertTrue("\(error)".contains("has frames 1001-"), "\(error)")
        }
    }

    /// A DPX plate (10-bit, made by oiiotool with a timecode in each file's television header):
    /// extract and run read the same pixels, and each output frame carries its file's timecode.
    func testDPXPlateReadsAlikeAndCarriesItsTimecode() throws {
        let folder = dir.appendingPathComponent("dpx")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (frame, code) in [(1001, "01:02:03:04"), (1002, "01:02:03:05")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["oiiotool", ExtractFixtures.data("plates/s18_png16/plate.\(frame).png").path, "--resize", "320x180",
                                 "--attrib:type=timecode", "smpte:TimeCode", code, "-d", "uint10",
                                 "-o", folder.appendingPathComponent("plate.\(frame).dpx").path]
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "oiiotool")
        }
        let pattern = folder.path + "/plate.####.dpx"
        let config = try shot("{path: '\(pattern)', frame_rate: 24}")
        let images = try FaceImageSource(path: pattern, frames: try FrameRange(parsing: "1002"))
        let extracted = try images.load(images.items[0])
        let run = try PlateSequence(config).read(frame: 1002)
        XCTAssertEqual(extracted.pixels.planes, run.image.selecting(["R", "G", "B"]).planes)
        XCTAssertEqual(extracted.pixels.width, 320)

        let report = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 64)).run()
        XCTAssertEqual(report.done, [1001, 1002], "\(report.failed)")
        for (frame, code) in [(1001, "01:02:03:04"), (1002, "01:02:03:05")] {
            let header = try XCTUnwrap(try ExrImage.headers(of: dir.appendingPathComponent("out-shot/swap.\(frame).exr")).first)
            guard case let .timecode(written)? = header.attributes["timeCode"] else { return XCTFail("frame \(frame): no timeCode") }
            XCTAssertEqual(written.description, code)
            XCTAssertEqual(header.attributes["framesPerSecond"], .rational(numerator: 24, denominator: 1))
        }
    }

    /// A ProRes plate's output frame carries the movie's timecode (00:00:03:10 at its frame 0) moved
    /// on to the frame, and its rate: read back by our reader and by OpenEXR's exrheader.
    func testMoviePlateOutputCarriesItsTimecode() throws {
        let config = try shot("{path: '\(ExtractFixtures.data("plates/s18_prores422hq.mov").path)'}")
        let report = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 64)).run(.init(frames: [1003]))
        XCTAssertEqual(report.done, [1003], "\(report.failed)")
        let output = dir.appendingPathComponent("out-shot/swap.1003.exr")
        let header = try XCTUnwrap(try ExrImage.headers(of: output).first)
        guard case let .timecode(code)? = header.attributes["timeCode"] else {
            return XCTFail("no timeCode attribute: \(header.attributes.keys.sorted())")
        }
        XCTAssertEqual(code.description, "00:00:03:12")
        XCTAssertEqual(header.attributes["framesPerSecond"], .rational(numerator: 30, denominator: 1))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["exrheader", output.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw XCTSkip("exrheader is not installed: \(error)") }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertTrue(text.contains("timeCode (type timecode)"), text)
        XCTAssertTrue(text.contains("time 00:00:03:12"), text)
    }
}
