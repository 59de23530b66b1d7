import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// What a compositor gets from a shot, through the `plateswap` binary (`IdentityShot`): the matte as
/// layer `swap` (`swap.A`) and in the main alpha, float channels with `pixel_type: float`, the patch
/// output that `Merge over` turns into the composite, and holdout mattes for occluders.
final class CompositorOutputsTests: XCTestCase {
    static let frames = IdentityShot.frames
    static let window = IdentityShot.window
    var shot: IdentityShot!
    var dir: URL { shot.dir }

    override func setUpWithError() throws { shot = try IdentityShot("comp-outputs") }
    override func tearDownWithError() throws { shot.remove() }

    @discardableResult
    func run(_ name: String, output: String = "", extra: String = "", expect status: Int32 = 0,
             file: StaticString = #filePath, line: UInt = #line) throws -> FarmTools.Result {
        try shot.run(name, output: output, extra: extra, expect: status, file: file, line: line)
    }

    func plate(_ frame: Int) throws -> ImageBuffer { try shot.plate(frame) }
    func output(_ name: String, _ frame: Int) throws -> (image: ImageBuffer, header: ExrHeader) { try shot.output(name, frame) }

    func testMatteIsLayerSwapAlphaAndHalfByDefault() throws {
        try run("default", output: "layers: [rgba, mask, raw]")
        let (out, header) = try output("default", 1001)
        XCTAssertEqual(out.channelNames, ["R", "G", "B", "A", "swap.A", "swap.B", "swap.G", "swap.R"])
        XCTAssertEqual(header.layers.sorted(), ["", "swap"])
        XCTAssertTrue(header.channels.allSatisfy { $0.pixelType == .half }, "\(header.channels)")
        let matte = out[channel: "swap.A"]
        XCTAssertGreaterThan(matte.filter { $0 > 0.99 }.count, 1000, "the face is inside the matte")
        XCTAssertGreaterThan(matte.filter { $0 == 0 }.count, 10000, "the matte is 0 away from the face")
        // The main alpha stays the plate's.
        XCTAssertEqual(out[channel: "A"].map(\.bitPattern), try plate(1001)[channel: "A"].map(\.bitPattern))
    }

    func testMatteInAlphaAndFloatChannels() throws {
        try run("float", output: "layers: [rgba, mask], pixel_type: float, matte_in_alpha: true")
        for frame in Self.frames {
            let (out, header) = try output("float", frame)
            let plate = try plate(frame)
            XCTAssertEqual(out.channelNames, ["R", "G", "B", "A", "swap.A"])
            for channel in header.channels {
                XCTAssertEqual(channel.pixelType, .float, "frame \(frame) \(channel.name) is float with pixel_type: float")
            }
            let matte = out[channel: "swap.A"]
            XCTAssertEqual(out[channel: "A"].map(\.bitPattern), matte.map(\.bitPattern), "frame \(frame): A is the matte")
            if frame == 1003 {
                XCTAssertTrue(matte.allSatisfy { $0 == 0 }, "a frame without a face has an empty matte")
            } else {
                XCTAssertGreaterThan(matte.filter { $0 > 0.99 }.count, 1000)
            }
            // Outside the matte the half plate comes back exactly, as float.
            for name in ["R", "G", "B"] {
                let (p, o) = (plate[channel: name], out[channel: name])
                for i in 0..<plate.pixelCount where matte[i] == 0 {
                    XCTAssertEqual(p[i].bitPattern, o[i].bitPattern, "frame \(frame) \(name)[\(i)]")
                }
            }
        }
        // Without a mask layer, matte_in_alpha alone gives quality its matte.
        try run("alpha", output: "layers: [rgba], matte_in_alpha: true")
        XCTAssertEqual(try output("alpha", 1001).image.channelNames, ["R", "G", "B", "A"])
        let quality = try FarmTools.run(try FarmTools.plateswap(), ["quality", dir.appendingPathComponent("alpha.yaml").path, "--json"])
        XCTAssertEqual(quality.status, 0, quality.stderr)
        let scores = try QualityTests.scores(quality.stdout)
        XCTAssertEqual(scores.frames.keys.sorted(), [1001, 1002])
        XCTAssertEqual(scores.skipped, [1003], "the face-less frame's matte is empty")
    }

    /// `oiiotool PATCH PLATE --over` (A over B) of every frame equals the full output inside the
    /// patch's window within half rounding, and the plate outside it; a frame without a face has a
    /// one-pixel transparent patch.
    func testPatchOverPlateIsTheComposite() throws {
        try run("full", output: "layers: [rgba, mask]")
        try run("patch", output: "mode: patch")
        for frame in Self.frames {
            let patchURL = dir.appendingPathComponent(String(format: "patch/swap.%04d.exr", frame))
            let plateURL = dir.appendingPathComponent(String(format: "plates/plate.%04d.exr", frame))
            let mergedURL = dir.appendingPathComponent(String(format: "merged.%04d.exr", frame))
            let over = try FarmTools.run(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["oiiotool", patchURL.path, plateURL.path, "--over", "-d", "float", "-o", mergedURL.path])
            XCTAssertEqual(over.status, 0, over.stderr)
            let (patch, patchHeader) = try output("patch", frame)
            let (full, _) = try output("full", frame)
            let (merged, mergedHeader) = try ExrImage.read(mergedURL, layer: nil)
            let plate = try plate(frame)
            XCTAssertEqual(patch.channelNames, ["R", "G", "B", "A"])
            XCTAssertEqual(patchHeader.displayWindow, Self.window)
            XCTAssertEqual(patchHeader.attributes["plateswap:version"], .string(PlateswapVersion.string))
            XCTAssertEqual(mergedHeader.dataWindow, Self.window)
            let matte = full[channel: "swap.A"]
            let window = patchHeader.dataWindow
            if frame == 1003 {
                XCTAssertEqual(window, PixelBox(x: 0, y: 0, width: 1, height: 1), "no face: a one-pixel patch")
                XCTAssertEqual(patch.planes.flatMap { $0 }, [0, 0, 0, 0])
            } else {
                // The data window is the matte's bounding box, and the patch's alpha is the matte.
                let inside = (0..<matte.count).filter { matte[$0] > 0 }
                XCTAssertEqual(window, PixelBox(xMin: inside.map { $0 % Self.window.width }.min()!, yMin: inside.first! / Self.window.width,
                                                xMax: inside.map { $0 % Self.window.width }.max()!, yMax: inside.last! / Self.window.width))
                XCTAssertLessThan(window.width * window.height, Self.window.width * Self.window.height / 2)
                for y in window.yMin...window.yMax { for x in window.xMin...window.xMax {
                    XCTAssertEqual(patch[channel: "A"][(y - window.yMin) * window.width + x - window.xMin], matte[y * Self.window.width + x])
                } }
            }
            var compared = 0
            for name in ["R", "G", "B"] {
                let (m, f, p) = (merged[channel: name], full[channel: name], plate[channel: name])
                let patchPlane = patch[channel: name]
                for y in 0..<Self.window.height { for x in 0..<Self.window.width {
                    let i = y * Self.window.width + x
                    if x >= window.xMin, x <= window.xMax, y >= window.yMin, y <= window.yMax, frame != 1003 {
                        guard p[i].isFinite else { continue }
                        let patchValue = patchPlane[(y - window.yMin) * window.width + x - window.xMin]
                        let tolerance = (abs(patchValue) + abs(f[i])) / 1024 + 1e-7
                        XCTAssertEqual(m[i], f[i], accuracy: tolerance, "frame \(frame) \(name) (\(x), \(y)) inside the patch")
                        if matte[i] > 0.5 { compared += 1 }
                    } else {
                        XCTAssertTrue(m[i] == p[i] || (m[i].isNaN && p[i].isNaN), "frame \(frame) \(name) (\(x), \(y)) outside the patch is the plate")
                    }
                } }
            }
            if frame != 1003 { XCTAssertGreaterThan(compared, 3000, "frame \(frame): the face was compared") }
        }
        // Quality and the review movie merge each patch over its plate: the same as the full output's.
        let plateswap = try FarmTools.plateswap()
        var scores: [[Int: [String: Double]]] = []
        for name in ["full", "patch"] {
            let result = try FarmTools.run(plateswap, ["quality", dir.appendingPathComponent("\(name).yaml").path, "--json"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let parsed = try QualityTests.scores(result.stdout)
            XCTAssertEqual(parsed.skipped, [1003], name)
            scores.append(parsed.frames)
            let movie = try FarmTools.run(plateswap, ["preview", dir.appendingPathComponent("\(name).yaml").path,
                                                      "-o", dir.appendingPathComponent("\(name).mp4").path])
            XCTAssertEqual(movie.status, 0, movie.stderr)
        }
        for frame in [1001, 1002] {
            for key in ["ssim", "gms", "psnr"] {
                XCTAssertEqual(scores[1][frame]![key]!, scores[0][frame]![key]!, accuracy: key == "psnr" ? 0.5 : 2e-3, "frame \(frame) \(key)")
            }
        }
        let full = try MovieReader(url: dir.appendingPathComponent("full.mp4")), patch = try MovieReader(url: dir.appendingPathComponent("patch.mp4"))
        for index in 0..<Self.frames.count {
            let (a, b) = (try full.read(frame: index), try patch.read(frame: index))
            // Mean over the frame: H.264 noise differs between the two encodes at the plate's hard edges.
            let difference = zip(a.planes[1], b.planes[1]).map { abs($0 - $1) }.reduce(0, +) / Float(a.pixelCount)
            XCTAssertLessThan(difference, 0.005, "review frame \(index): the patch merged over the plate looks like the full output")
        }
    }

    /// The occluder matte: 1 over the left half of the face (x < 95), 0.5 in a band (95..<105),
    /// 0 elsewhere; the same in every frame.
    static func occluder(x: Int, y: Int) -> Float { x < 95 ? 1 : x < 105 ? 0.5 : 0 }

    /// `mask.holdout` as a PNG sequence and as a channel (`roto.A`) of the plate itself: pixels
    /// under the holdout stay bit-identical to the plate, the rest is the unheld swap, and the
    /// written matte is the face mask times (1 - holdout).
    func testHoldoutKeepsTheOccluderBitIdentical() throws {
        let (w, h) = (Self.window.width, Self.window.height)
        let matte = (0..<w * h).map { Self.occluder(x: $0 % w, y: $0 / w) }
        // The same plates with a roto layer, and a 16-bit PNG sequence of the matte.
        let roto = dir.appendingPathComponent("roto"), pngs = dir.appendingPathComponent("holdout")
        try FileManager.default.createDirectory(at: roto, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: pngs, withIntermediateDirectories: true)
        for frame in Self.frames {
            var image = try plate(frame)
            image.addChannel("roto.A", plane: matte)
            try ExrWriter.write(image, header: ExrHeader(dataWindow: Self.window, compression: .zip),
                                to: roto.appendingPathComponent(String(format: "plate.%04d.exr", frame)), pixelType: .half)
            let grey = ImageBuffer(width: w, height: h, channels: ["R", "G", "B"], planes: [matte, matte, matte])
            try PNGFile.write(grey, bitDepth: 16, to: pngs.appendingPathComponent(String(format: "hold.%04d.png", frame)))
        }
        try run("free", output: "layers: [rgba, mask]")
        try run("png", output: "layers: [rgba, mask]", extra: "mask: {holdout: holdout/hold.####.png}")
        let shot = dir.appendingPathComponent("roto.yaml")
        try String(contentsOf: dir.appendingPathComponent("png.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "plates/plate.####.exr", with: "roto/plate.####.exr")
            .replacingOccurrences(of: "png/swap", with: "roto/swap")
            .replacingOccurrences(of: "holdout/hold.####.png", with: "roto.A")
            .replacingOccurrences(of: "tracks: tracks.json", with: "tracks: roto/tracks.json")
            .write(to: shot, atomically: true, encoding: .utf8)
        // The same faces, recorded as made from the roto plate (tracks.json names its plate).
        try SyntheticShot.writeTracks(roto.appendingPathComponent("tracks.json"), plate: roto.appendingPathComponent("plate.####.exr"),
                                      frames: Self.frames, cx: 100, cy: 80, side: 90, without: [1003])
        let rotoRun = try FarmTools.run(try FarmTools.plateswap(), ["run", shot.path, "--identity-swap"])
        XCTAssertEqual(rotoRun.status, 0, rotoRun.stderr)

        for frame in [1001, 1002] {
            let plate = try plate(frame)
            let free = try output("free", frame).image
            let freeMatte = free[channel: "swap.A"]
            for name in ["png", "roto"] {
                let out = try output(name, frame).image
                let held = out[channel: "swap.A"]
                var covered = 0, changedWithout = 0
                for i in 0..<w * h {
                    let hold = matte[i]
                    if hold == 1 {
                        for c in ["R", "G", "B"] {
                            XCTAssertEqual(out[channel: c][i].bitPattern, plate[channel: c][i].bitPattern, "\(name) frame \(frame) \(c)[\(i)] under the holdout")
                            if free[channel: c][i].bitPattern != plate[channel: c][i].bitPattern { changedWithout += 1 }
                        }
                        XCTAssertEqual(held[i], 0)
                        if freeMatte[i] > 0.9 { covered += 1 }
                    } else if hold == 0 {
                        for c in ["R", "G", "B"] {
                            XCTAssertEqual(out[channel: c][i].bitPattern, free[channel: c][i].bitPattern, "\(name) frame \(frame) \(c)[\(i)] away from the holdout")
                        }
                        XCTAssertEqual(held[i], freeMatte[i])
                    } else {
                        XCTAssertEqual(held[i], freeMatte[i] * 0.5, accuracy: 1e-3, "\(name) frame \(frame) matte[\(i)] under half a holdout")
                    }
                }
                XCTAssertGreaterThan(covered, 1000, "the holdout covers a good part of the face")
                XCTAssertGreaterThan(changedWithout, 1000, "without the holdout the swap changes those pixels")
            }
        }
    }

    /// Bad holdouts stop the run before any frame (exit 2) or fail the frame naming the file (exit 1).
    func testHoldoutErrorsNameTheKeyAndFile() throws {
        let bad = try run("badkey", extra: "mask: {holdout: {channel: roto.A, bogus: 1}}", expect: 2)
        XCTAssertTrue(bad.stderr.contains("mask.holdout.bogus"), bad.stderr)
        let folder = try run("nofolder", extra: "mask: {holdout: nowhere/m.####.png}", expect: 2)
        XCTAssertTrue(folder.stderr.contains("mask.holdout") && folder.stderr.contains("nowhere"), folder.stderr)
        let missing = try run("nochannel", extra: "mask: {holdout: roto.A}", expect: 1)
        XCTAssertTrue(missing.stderr.contains("plate.1001.exr has no channel roto.A"), missing.stderr)
    }
}
