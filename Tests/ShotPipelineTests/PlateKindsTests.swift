import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// Movie and PNG plates, data windows with negative origins, non-finite plate values, memory.
final class PlateKindsTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("kinds")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func shot(_ plate: String, output: String, faceSize: Int = 32) throws -> ShotConfig {
        let url = dir.appendingPathComponent("\(output).yaml")
        try """
            shot: KINDS
            plate: \(plate)
            output: {path: \(output)/swap.####.exr, compression: zip, layers: [rgba, mask]}
            model: {path: model.plateswap}
            face: {size: \(faceSize)}
            blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
            """.write(to: url, atomically: true, encoding: .utf8)
        return try ShotConfig.load(url)
    }

    func halfRounded(_ v: Float) -> UInt32 { Float(Float16(v)).bitPattern }

    func run(_ config: ShotConfig, _ frames: [Int]? = nil, faces: FaceSource = FixedFaceProvider()) throws -> RunReport {
        try ShotRunner(config: config, faces: faces, swapper: DarkenSwapper()).run(.init(frames: frames))
    }

    func testMoviePlateChunksSeekMidClipAndMatchTheFullRun() throws {
        let movie = dir.appendingPathComponent("clip.mp4")
        let writer = try PreviewWriter(url: movie, width: 96, height: 64, frameRate: (25, 1), crf: 18)
        for frame in 0..<8 {
            var image = SyntheticShot.plate(window: PixelBox(width: 96, height: 64), frame: frame).selecting(["R", "G", "B"])
            for c in 0..<3 { image.planes[c] = image.planes[c].map { $0.isFinite ? min(max($0, 0), 1) : 0 } }
            try writer.append(image)
        }
        try writer.finish()
        let full = try shot("{path: clip.mp4, colorspace: srgb}", output: "full")
        let chunked = try shot("{path: clip.mp4, colorspace: srgb}", output: "chunked")
        XCTAssertEqual(try PlateSequence(full).frames, Array(1001...1008))
        XCTAssertEqual(try PlateSequence(full).frameRate, 25)
        XCTAssertEqual(try run(full).done, Array(1001...1008))
        XCTAssertEqual(try run(chunked, [1005, 1006]).done, [1005, 1006])   // seeks mid-clip first
        XCTAssertEqual(try run(chunked, [1001, 1002, 1003, 1004, 1007, 1008]).done, [1001, 1002, 1003, 1004, 1007, 1008])
        let reader = try MovieReader(url: movie)
        for frame in 1001...1008 {
            let name = String(format: "swap.%04d.exr", frame)
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("full/" + name)),
                           try Data(contentsOf: dir.appendingPathComponent("chunked/" + name)), "frame \(frame)")
            let decoded = try reader.read(frame: frame - 1001)
            let (out, header) = try ExrImage.read(dir.appendingPathComponent("full/" + name))
            XCTAssertEqual(header.attributes["framesPerSecond"], .rational(numerator: 25, denominator: 1))
            XCTAssertEqual(header.dataWindow, PixelBox(width: 96, height: 64))
            let mask = out[channel: "swap.A"]
            var outside = 0
            for i in 0..<out.pixelCount where mask[i] == 0 {
                outside += 1
                XCTAssertEqual(out[channel: "G"][i].bitPattern, halfRounded(decoded[channel: "G"][i]), "frame \(frame) pixel \(i)")
            }
            XCTAssertGreaterThan(outside, 1000)
            XCTAssertGreaterThan(mask.filter { $0 > 0.9 }.count, 300)
        }
        // A frame past the movie's end fails naming the movie and its frames.
        let beyond = try run(full, [1009])
        XCTAssertTrue(beyond.failed.first?.error.contains("clip.mp4 has frames 1001-1008") == true, "\(beyond.failed)")
    }

    func testPNGSequencePlate() throws {
        let plates = dir.appendingPathComponent("png")
        try FileManager.default.createDirectory(at: plates, withIntermediateDirectories: true)
        var written: [Int: ImageBuffer] = [:]
        for frame in [7, 8, 9] {
            var image = SyntheticShot.plate(window: PixelBox(width: 80, height: 60), frame: frame).selecting(["R", "G", "B"])
            for c in 0..<3 { image.planes[c] = image.planes[c].map { $0.isFinite ? min(max($0, 0), 1) : 0 } }
            try PNGFile.write(image, bitDepth: 16, to: plates.appendingPathComponent(String(format: "p.%03d.png", frame)))
            written[frame] = try PNGFile.read(plates.appendingPathComponent(String(format: "p.%03d.png", frame)))
        }
        let config = try shot("{path: png/p.###.png, colorspace: srgb, frame_rate: 30}", output: "png-out")
        let report = try run(config, faces: FixedFaceProvider(missing: [8]))
        XCTAssertEqual(report.done, [7, 8, 9])
        XCTAssertEqual(report.noFace, [8])
        for frame in [7, 8, 9] {
            let (out, header) = try ExrImage.read(dir.appendingPathComponent(String(format: "png-out/swap.%04d.exr", frame)))
            XCTAssertEqual(header.dataWindow, PixelBox(width: 80, height: 60))
            XCTAssertEqual(header.attributes["framesPerSecond"], .rational(numerator: 30, denominator: 1))
            XCTAssertEqual(out.channelNames, ["R", "G", "B", "swap.A"])
            let mask = out[channel: "swap.A"]
            if frame == 8 { XCTAssertTrue(mask.allSatisfy { $0 == 0 }) } else { XCTAssertGreaterThan(mask.filter { $0 > 0.9 }.count, 300) }
            for c in ["R", "G", "B"] {
                for i in 0..<out.pixelCount where mask[i] == 0 {
                    XCTAssertEqual(out[channel: c][i].bitPattern, halfRounded(written[frame]![channel: c][i]))
                }
            }
        }
    }

    /// The same absolute face on a plate whose data window starts at (0, 0) and on one starting at
    /// (-40, -30) inside a larger display window: both composite the same pixels at the same
    /// absolute positions, keep NaN/Inf/highlights outside the mask, and keep the windows.
    func testNegativeDataWindowOriginMatchesAFullFramePlate() throws {
        let frames = [1001, 1002]
        let windowA = PixelBox(width: 320, height: 240)
        let windowB = PixelBox(xMin: -40, yMin: -30, xMax: 279, yMax: 209)
        let display = PixelBox(width: 320, height: 240)
        try SyntheticShot.writePlates(dir.appendingPathComponent("a"), frames: frames, window: windowA)
        try SyntheticShot.writePlates(dir.appendingPathComponent("b"), frames: frames, window: windowB, display: display)
        // The same absolute tracks for both plates (each file records its own plate).
        var configs = [try shot("{path: a/plate.####.exr}", output: "out-a", faceSize: 64),
                       try shot("{path: b/plate.####.exr}", output: "out-b", faceSize: 64)]
        for (i, name) in ["a", "b"].enumerated() {
            configs[i].output.tracks = dir.appendingPathComponent("tracks-\(name).json")
            try SyntheticShot.writeTracks(configs[i].output.tracks, plate: dir.appendingPathComponent("\(name)/plate.####.exr"),
                                          frames: frames, cx: 150, cy: 110, side: 120)
        }
        for config in configs {
            let report = try ShotRunner(config: config, faces: TrackedFaces(), swapper: DarkenSwapper(cropSize: 64)).run()
            XCTAssertEqual(report.done, frames)
            XCTAssertTrue(report.noFace.isEmpty)
        }
        for frame in frames {
            let name = String(format: "swap.%04d.exr", frame)
            let (outA, headerA) = try ExrImage.read(dir.appendingPathComponent("out-a/" + name))
            let (outB, headerB) = try ExrImage.read(dir.appendingPathComponent("out-b/" + name))
            let (plateB, _) = try ExrImage.read(dir.appendingPathComponent(String(format: "b/plate.%04d.exr", frame)))
            XCTAssertEqual(headerB.dataWindow, windowB)
            XCTAssertEqual(headerB.displayWindow, display)
            XCTAssertEqual(headerA.dataWindow, windowA)
            let maskA = outA[channel: "swap.A"], maskB = outB[channel: "swap.A"]
            XCTAssertGreaterThan(maskB.filter { $0 > 0.9 }.count, 3000)
            var compared = 0
            for y in 0...209 { for x in 0...279 {
                let ia = y * windowA.width + x, ib = (y + 30) * windowB.width + (x + 40)
                if ia < 3 { continue }   // plate A's own NaN/Inf spots (plate B has them outside this overlap)
                XCTAssertEqual(maskA[ia], maskB[ib], accuracy: 2e-3, "mask at (\(x),\(y))")
                if maskB[ib] > 0 { compared += 1 }
                XCTAssertEqual(outA[channel: "G"][ia], outB[channel: "G"][ib], accuracy: 2e-3, "G at (\(x),\(y))")
            } }
            XCTAssertGreaterThan(compared, 3000)
            // Outside the mask: bit-identical, including NaN, +-Inf and values above 1.
            for c in ["R", "G", "B", "A"] {
                for i in 0..<plateB.pixelCount where maskB[i] == 0 {
                    XCTAssertEqual(outB[channel: c][i].bitPattern, plateB[channel: c][i].bitPattern)
                }
            }
            XCTAssertTrue(outB[channel: "R"][0].isNaN)
            XCTAssertEqual(outB[channel: "G"][1], .infinity)
            XCTAssertEqual(outB[channel: "B"][2], -.infinity)
            XCTAssertTrue(zip(outB[channel: "B"], maskB).contains { $0 == 4.25 && $1 == 0 })
            // Inside the mask the darkening shows, and highlights keep their excess over 1.
            XCTAssertTrue(zip(outB[channel: "B"], maskB).contains { $0 > 3.5 && $1 > 0.9 })
        }
    }

    /// Streams frames: resident memory after many frames stays near what it was after a few,
    /// far below what keeping every frame (4 MiB of float RGBA each) would take.
    func testMemoryStaysBoundedOverALongShot() throws {
        let frames = Array(1...40)
        let window = PixelBox(width: 512, height: 512)
        let folder = dir.appendingPathComponent("long")
        try SyntheticShot.writePlates(folder, frames: frames, window: window)
        let config = try shot("{path: long/plate.####.exr}", output: "long-out")
        let probe = MemoryProbe()
        let report = try ShotRunner(config: config, faces: probe, swapper: DarkenSwapper()).run()
        XCTAssertEqual(report.done, frames)
        XCTAssertEqual(probe.samples.count, frames.count)
        let settled = probe.samples[5]
        let peak = probe.samples.max()!
        XCTAssertLessThan(peak - settled, 40 << 20, "resident memory grew by \((peak - settled) >> 20) MiB over 35 frames")
    }
}

/// A fixed face that records resident memory each time a frame asks for its faces.
final class MemoryProbe: FaceSource, FaceProvider {
    private(set) var samples: [Int] = []
    func open(shot: ShotConfig, plate: PlateSequence) throws -> any FaceProvider { self }
    var tracksDigest: String { "probe" }
    func faces(frame: Int, plate: ImageBuffer, origin: (x: Int, y: Int), cropSize: Int) throws -> [SwapFace] {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
        samples.append((Int(statm.split(separator: " ")[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))))
        return try FixedFaceProvider().faces(frame: frame, plate: plate, origin: origin, cropSize: cropSize)
    }
}
