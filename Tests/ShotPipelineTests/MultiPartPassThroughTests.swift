import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// Every part, layer and channel kept (issue 14 part 3): a small multi-part, multi-layer plate made
/// here comes out with every part (name, windows, attributes), every channel (values bit for bit,
/// its pixel type) plus the swap layers; `plate.layer` picks the layer that is swapped.
final class MultiPartPassThroughTests: XCTestCase {
    var dir: URL!
    static let display = PixelBox(width: 96, height: 72)

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("multipart")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static func plane(_ width: Int, _ height: Int, _ seed: Int, scale: Float = 1) -> [Float] {
        (0..<(width * height)).map { Float(($0 * 31 + seed * 17) % 101) / 100 * scale }
    }

    /// Part 0 `depth` (Z float, a smaller data window), part 1 `main` (R, G, B, A half; layer
    /// `diffuse` half; `id` uint; `N.x` float; its own attributes), part 2 `aovs` (spec.R/G/B half,
    /// a data window offset inside the display window, a view).
    static func plateParts(frame: Int) -> [ExrPartImage] {
        let depthBox = PixelBox(x: 8, y: 4, width: 64, height: 48)
        var depth = ExrHeader(dataWindow: depthBox, displayWindow: display, compression: .zip,
                              attributes: ["note": .string("depth of frame \(frame)")])
        depth.partName = "depth"
        let depthImage = ImageBuffer(width: 64, height: 48, channels: ["Z"], planes: [plane(64, 48, 1, scale: 1000)])

        var rgba = SyntheticShot.plate(window: display, frame: frame)
        for (k, name) in ["diffuse.B", "diffuse.G", "diffuse.R"].enumerated() { rgba.addChannel(name, plane: plane(96, 72, 10 + k)) }
        rgba.addChannel("id", plane: (0..<(96 * 72)).map { Float($0 % 5000) })
        rgba.addChannel("N.x", plane: plane(96, 72, 20, scale: -2))
        var main = ExrHeader(dataWindow: display, compression: .zip,
                             attributes: ["framesPerSecond": .rational(numerator: 25, denominator: 1), "owner": .string("plateswap tests"),
                                          "studio:shot": .string("MP010")])
        main.partName = "main"

        let aovBox = PixelBox(x: 10, y: 5, width: 41, height: 36)
        var aovs = ExrHeader(dataWindow: aovBox, displayWindow: display, compression: .zip, attributes: ["view": .string("left")])
        aovs.partName = "aovs"
        let aovImage = ImageBuffer(width: 41, height: 36, channels: ["spec.R", "spec.G", "spec.B"],
                                   planes: (0..<3).map { plane(41, 36, 30 + $0, scale: 3) })
        return [
            ExrPartImage(image: depthImage, header: depth, channelTypes: ["Z": .float]),
            ExrPartImage(image: rgba, header: main, channelTypes: ["id": .uint, "N.x": .float]),
            ExrPartImage(image: aovImage, header: aovs),
        ]
    }

    func writePlate(frames: [Int]) throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        for frame in frames {
            try ExrWriter.writeParts(Self.plateParts(frame: frame), to: dir.appendingPathComponent("plates/plate.\(frame).exr"),
                                     compression: .zip, pixelType: .half)
        }
    }

    func shot(layer: String? = nil, output: String = "out") throws -> ShotConfig {
        let url = dir.appendingPathComponent("\(output).yaml")
        try """
            shot: MULTI
            plate: {path: plates/plate.####.exr\(layer.map { ", layer: \($0)" } ?? "")}
            output: {path: \(output)/swap.####.exr, compression: zip, layers: [rgba, mask]}
            model: {path: model.plateswap}
            face: {size: 32}
            blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
            """.write(to: url, atomically: true, encoding: .utf8)
        return try ShotConfig.load(url)
    }

    /// Checks that `out` holds `plate`'s part unchanged: name, windows, every plate attribute, every
    /// channel's type and values (bit for bit), except the channels in `swapped`.
    func assertKept(_ plate: (image: ImageBuffer, header: ExrHeader), in out: (image: ImageBuffer, header: ExrHeader),
                    except swapped: Set<String> = [], file: StaticString = #filePath, line: UInt = #line) {
        let name = plate.header.partName ?? "?"
        XCTAssertEqual(out.header.partName, plate.header.partName, file: file, line: line)
        XCTAssertEqual(out.header.dataWindow, plate.header.dataWindow, name, file: file, line: line)
        XCTAssertEqual(out.header.displayWindow, plate.header.displayWindow, name, file: file, line: line)
        for (key, value) in plate.header.attributes {
            XCTAssertEqual(out.header.attributes[key], value, "\(name): attribute \(key)", file: file, line: line)
        }
        for channel in plate.header.channels where !swapped.contains(channel.name) {
            XCTAssertEqual(out.header.channel(named: channel.name)?.pixelType, channel.pixelType, "\(name).\(channel.name) type", file: file, line: line)
            guard let o = out.image.channelIndex(channel.name) else {
                XCTFail("\(name): channel \(channel.name) was dropped", file: file, line: line)
                continue
            }
            let p = plate.image[channel: channel.name]
            XCTAssertTrue(zip(out.image.planes[o], p).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                          "\(name).\(channel.name) changed", file: file, line: line)
        }
    }

    func testEveryPartLayerAndChannelIsWrittenThrough() throws {
        try writePlate(frames: [1001])
        let config = try shot()
        XCTAssertNil(config.plate.part)
        let plate = try PlateSequence(config)
        XCTAssertEqual(plate.source.part, .index(1), "the default is the first part with R, G, B (part 0 is depth only)")
        let report = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(report.done, [1001], "\(report.failed)")

        let plateParts = try ExrImage.readParts(dir.appendingPathComponent("plates/plate.1001.exr"))
        let outURL = dir.appendingPathComponent("out/swap.1001.exr")
        let outParts = try ExrImage.readParts(outURL)
        // The swapped part first (what single-part readers see), then the others in plate order.
        XCTAssertEqual(outParts.map(\.header.partName), ["main", "depth", "aovs"])
        assertKept(plateParts[0], in: outParts[1])
        assertKept(plateParts[2], in: outParts[2])
        assertKept(plateParts[1], in: outParts[0], except: ["R", "G", "B"])

        // The swapped part: plus the matte, tagged; R, G, B changed only under the matte.
        let main = outParts[0]
        XCTAssertEqual(main.header.channel(named: "swap.A")?.pixelType, .half)
        XCTAssertNotNil(main.header.attributes["plateswap:config_hash"])
        XCTAssertEqual(Set(main.image.channelNames), Set(plateParts[1].image.channelNames + ["swap.A"]))
        let matte = main.image[channel: "swap.A"]
        XCTAssertGreaterThan(matte.filter { $0 > 0.5 }.count, 50)
        var changed = 0
        for c in ["R", "G", "B"] {
            let (o, p) = (main.image[channel: c], plateParts[1].image[channel: c])
            for i in 0..<o.count {
                if matte[i] == 0 {
                    XCTAssertTrue(o[i].bitPattern == p[i].bitPattern || (o[i].isNaN && p[i].isNaN), "\(c) \(i) outside the matte")
                } else if o[i] != p[i] { changed += 1 }
            }
        }
        XCTAssertGreaterThan(changed, 50, "the face was swapped")

        // OpenEXR's own exrheader sees the three parts with their names, types and windows.
        let text = try Self.exrheader(outURL)
        for needle in ["name (type string): \"main\"", "name (type string): \"depth\"", "name (type string): \"aovs\"",
                       "Z, 32-bit floating-point", "id, 32-bit unsigned integer", "N.x, 32-bit floating-point",
                       "diffuse.R, 16-bit floating-point", "swap.A, 16-bit floating-point", "(10 5) - (50 40)", "view (type string): \"left\""] {
            XCTAssertTrue(text.contains(needle), "exrheader lacks \(needle):\n\(text)")
        }
        // Channel by channel with OpenEXR's Python bindings, where they are installed
        // (.venv-exr from scripts/install-exr-python, or PLATESWAP_EXR_PYTHON).
        _ = try ExrPassThroughCheck.python(plate: dir.appendingPathComponent("plates/plate.1001.exr"), output: outURL, swapped: "main:R,G,B",
                                           dump: [])
    }

    /// `plate.layer: diffuse` swaps that layer: diffuse.R/G/B change under the matte, the main
    /// R, G, B and everything else stay the plate's.
    func testPlateLayerChoosesTheLayerToSwap() throws {
        try writePlate(frames: [1001])
        let config = try shot(layer: "diffuse", output: "diffuse")
        let report = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        let plateParts = try ExrImage.readParts(dir.appendingPathComponent("plates/plate.1001.exr"))
        let outParts = try ExrImage.readParts(dir.appendingPathComponent("diffuse/swap.1001.exr"))
        XCTAssertEqual(outParts.map(\.header.partName), ["main", "depth", "aovs"])
        assertKept(plateParts[1], in: outParts[0], except: ["diffuse.R", "diffuse.G", "diffuse.B"])
        let matte = outParts[0].image[channel: "swap.A"]
        let (o, p) = (outParts[0].image[channel: "diffuse.G"], plateParts[1].image[channel: "diffuse.G"])
        XCTAssertGreaterThan(zip(o, p).filter { $0 != $1 }.count, 50)
        XCTAssertTrue(matte.indices.allSatisfy { matte[$0] > 0 || o[$0] == p[$0] })
        XCTAssertNil(outParts[0].image.channelIndex("diffuse.A"), "a layer without alpha gets none")
    }

    /// A luminance/chroma part swapped (OpenEXR's Rec709_YC: Y with 2x2 subsampled RY, BY, copied
    /// into part 0 `beauty`) beside a float `depth` part: the output still has both parts, the depth
    /// part bit for bit; the swapped part is R, G, B (as OpenEXR converts it) plus the matte.
    func testLuminanceChromaPartKeepsTheOtherParts() throws {
        let yc = ExtractFixtures.data("exr/Chromaticities_Rec709_YC.exr")
        var beautyHeader = try ExrImage.headers(of: yc)[0]
        XCTAssertEqual(Set(beautyHeader.channels.map(\.name)), ["Y", "RY", "BY"])
        beautyHeader.partName = "beauty"
        let box = beautyHeader.dataWindow
        var depthHeader = ExrHeader(dataWindow: box, displayWindow: beautyHeader.displayWindow, compression: .zip,
                                    attributes: ["note": .string("depth")])
        depthHeader.partName = "depth"
        let depth = ExrPartImage(image: ImageBuffer(width: box.width, height: box.height, channels: ["Z"],
                                                    planes: [Self.plane(box.width, box.height, 3, scale: 1000)]),
                                 header: depthHeader, channelTypes: ["Z": .float])
        let plateURL = dir.appendingPathComponent("plates/plate.1001.exr")
        try FileManager.default.createDirectory(at: plateURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ExrWriter.writeParts([ExrPartImage(copying: 0, of: yc, header: beautyHeader), depth], to: plateURL, compression: .zip)

        let config = try shot()
        let report = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        let outURL = dir.appendingPathComponent("out/swap.1001.exr")
        let plateParts = try ExrImage.readParts(plateURL)
        let outParts = try ExrImage.readParts(outURL)
        XCTAssertEqual(outParts.map(\.header.partName), ["beauty", "depth"], "the depth part is not dropped")
        assertKept(plateParts[1], in: outParts[1])

        let beauty = outParts[0]
        XCTAssertEqual(Set(beauty.image.channelNames), ["R", "G", "B", "swap.A"])
        for (key, value) in plateParts[0].header.attributes { XCTAssertEqual(beauty.header.attributes[key], value, key) }
        XCTAssertEqual(beauty.header.attributes["owner"], .string("Copyright 2006 Industrial Light & Magic"))
        let converted = try ExrImage.read(plateURL, part: 0, layer: "").image
        let matte = beauty.image[channel: "swap.A"]
        XCTAssertGreaterThan(matte.filter { $0 > 0.5 }.count, 50)
        var changed = 0
        for c in ["R", "G", "B"] {
            let (o, p) = (beauty.image[channel: c], converted[channel: c])
            for i in o.indices {
                if matte[i] == 0 {
                    XCTAssertTrue(o[i].bitPattern == p[i].bitPattern, "\(c) \(i) outside the matte")
                } else if o[i] != p[i] { changed += 1 }
            }
        }
        XCTAssertGreaterThan(changed, 50, "the face was swapped")
        _ = try ExrPassThroughCheck.python(plate: plateURL, output: outURL, swapped: "beauty:Y,RY,BY", dump: [])
    }

    /// A luminance/chroma part with alpha and a layer of its own (`N.x`), beside a `depth` part,
    /// made with OpenEXR's Python bindings (2x2 subsampled RY, BY): the part's `A` and `N.x` and the
    /// whole depth part come out bit for bit, checked here and by OpenEXR's own reader.
    func testLuminanceChromaPartKeepsItsOtherLayers() throws {
        let plateURL = dir.appendingPathComponent("plates/plate.1001.exr")
        try FileManager.default.createDirectory(at: plateURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard try ExrPassThroughCheck.make(script: Self.lumaChromaPlateScript, arguments: [plateURL.path]) else { return }
        let report = try ShotRunner(config: try shot(), faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        let outURL = dir.appendingPathComponent("out/swap.1001.exr")
        let plateParts = try ExrImage.readParts(plateURL)
        let outParts = try ExrImage.readParts(outURL)
        XCTAssertEqual(outParts.map(\.header.partName), ["beauty", "depth"])
        XCTAssertEqual(Set(plateParts[0].image.channelNames), ["R", "G", "B", "A", "N.x"], "read converted, with its layer")
        XCTAssertEqual(Set(outParts[0].image.channelNames), ["R", "G", "B", "A", "N.x", "swap.A"])
        XCTAssertEqual(outParts[0].header.channel(named: "N.x")?.pixelType, .float)
        XCTAssertEqual(outParts[0].image[channel: "N.x"].map(\.bitPattern), plateParts[0].image[channel: "N.x"].map(\.bitPattern))
        XCTAssertEqual(outParts[0].header.attributes["owner"], .string("luma test"))
        assertKept(plateParts[1], in: outParts[1])
        XCTAssertGreaterThan(zip(outParts[0].image[channel: "G"], plateParts[0].image[channel: "G"]).filter { $0 != $1 }.count, 50)
        _ = try ExrPassThroughCheck.python(plate: plateURL, output: outURL, swapped: "beauty:Y,RY,BY", dump: [])
    }

    /// Writes a two-part plate to sys.argv[1]: `beauty` (Y; RY, BY sampled 2x2; A; N.x float) and `depth` (Z float).
    static let lumaChromaPlateScript = """
        import sys
        import numpy as np
        import OpenEXR
        h, w = 72, 96
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        beauty = {
            "Y": OpenEXR.Channel((0.2 + 0.6 * xx / w).astype(np.float16)),
            "RY": OpenEXR.Channel((0.1 * np.sin(xx / 5)).astype(np.float16), 2, 2),
            "BY": OpenEXR.Channel((-0.1 * np.cos(yy / 7)).astype(np.float16), 2, 2),
            "A": OpenEXR.Channel(np.full((h, w), 1, np.float16)),
            "N.x": OpenEXR.Channel((xx - yy * 0.37).astype(np.float32)),
        }
        depth = {"Z": OpenEXR.Channel((100 + xx * 3.5 + yy).astype(np.float32))}
        header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
        parts = [OpenEXR.Part(dict(header, owner="luma test"), beauty, name="beauty"), OpenEXR.Part(header, depth, name="depth")]
        with OpenEXR.File(parts) as f:
            f.write(sys.argv[1])
        """

    /// Real multi-part plates: OpenEXR's Beachball (10 parts, two views, per-part data windows
    /// inside a 2048x1556 display window) and a 3-part file mixing a scanline part, a tiled float
    /// depth part and a uint object-id part. The first part with R, G, B is swapped, the others come
    /// out as they were (tiled parts still tiled, with the same tile description; pixels and
    /// attributes the same).
    func testRealMultiPartPlatesKeepEveryPart() throws {
        for (index, name) in ["Beachball_multipart.0001.exr", "Cannon_multipart_scanline_tiled_uint.exr"].enumerated() {
            let plates = dir.appendingPathComponent("plates\(index)")
            try FileManager.default.createDirectory(at: plates, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: ExtractFixtures.data("exr/\(name)"), to: plates.appendingPathComponent("plate.1001.exr"))
            let url = dir.appendingPathComponent("real\(index).yaml")
            try """
                shot: REAL
                plate: {path: plates\(index)/plate.####.exr}
                output: {path: real\(index)/swap.####.exr, compression: zip, layers: [rgba, mask]}
                model: {path: model.plateswap}
                face: {size: 32}
                blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
                """.write(to: url, atomically: true, encoding: .utf8)
            let report = try ShotRunner(config: try ShotConfig.load(url), faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
            XCTAssertEqual(report.done, [1001], "\(name): \(report.failed)")
            let plateParts = try ExrImage.readParts(plates.appendingPathComponent("plate.1001.exr"))
            let outParts = try ExrImage.readParts(dir.appendingPathComponent("real\(index)/swap.1001.exr"))
            XCTAssertGreaterThanOrEqual(plateParts.count, 3, name)
            XCTAssertEqual(outParts.map(\.header.partName), plateParts.map(\.header.partName), name)
            assertKept(plateParts[0], in: outParts[0], except: ["R", "G", "B"])
            XCTAssertNotNil(outParts[0].image.channelIndex("swap.A"), name)
            for part in 1..<plateParts.count {
                assertKept(plateParts[part], in: outParts[part])
                XCTAssertEqual(outParts[part].header.tiles, plateParts[part].header.tiles, "\(name) part \(part) tiling")
                XCTAssertEqual(outParts[part].header.partType, plateParts[part].header.partType, "\(name) part \(part) type")
            }
        }
    }

    /// Deep parts (OpenEXR's deep tiled and deep scanline Balls samples) between two flat parts,
    /// combined by OpenEXR's own exrmultipart: every part comes out, the deep ones with their name,
    /// type, windows, attributes and every sample (counts and values, read back by OpenEXR's Python
    /// bindings; exrmultipart splits them out of plate and output to the same bytes). A deep part
    /// cut short fails its frame when it is read.
    func testDeepPartsPassThroughSampleForSample() throws {
        let plates = dir.appendingPathComponent("deep")
        try FileManager.default.createDirectory(at: plates, withIntermediateDirectories: true)
        // The flat parts share the deep samples' 1024x576 display window (exrmultipart requires it).
        let rgb = dir.appendingPathComponent("rgb.exr"), depth = dir.appendingPathComponent("depth.exr")
        try ColourTagFixtures.tool(["oiiotool", "--pattern", "checker:width=16:height=16", "1024x576", "3", "-d", "half",
                                    "--compression", "zip", "-o", rgb.path])
        try ColourTagFixtures.tool(["oiiotool", "--pattern", "fill:top=0:bottom=1000", "1024x576", "1", "--chnames", "Z", "-d", "float",
                                    "--compression", "zip", "-o", depth.path])
        let plate = plates.appendingPathComponent("plate.1001.exr")
        let deep = ["Balls_deeptiled_crop.exr", "v2_LowResLeftView_Balls.exr"].map { ExtractFixtures.data("exr/\($0)").path }
        try ColourTagFixtures.tool(["exrmultipart", "-combine", "-i", rgb.path] + deep + [depth.path, "-o", plate.path])
        let headers = try ExrImage.headers(of: plate)
        XCTAssertEqual(headers.map(\.partType), [.scanline, .deepTiled, .deepScanline, .scanline])
        let url = dir.appendingPathComponent("deep.yaml")
        try """
            shot: DEEP
            plate: {path: deep/plate.####.exr}
            output: {path: deep-out/swap.####.exr, compression: zip, layers: [rgba, mask]}
            model: {path: model.plateswap}
            face: {size: 32}
            blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
            """.write(to: url, atomically: true, encoding: .utf8)
        let (report, logged) = try ColourTagFixtures.capturingStandardError {
            try ShotRunner(config: try ShotConfig.load(url), faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        }
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        XCTAssertFalse(logged.contains("left out"), logged)

        let out = dir.appendingPathComponent("deep-out/swap.1001.exr")
        let outHeaders = try ExrImage.headers(of: out)
        XCTAssertEqual(outHeaders.map(\.partName), headers.map(\.partName))
        XCTAssertEqual(outHeaders.map(\.partType), headers.map(\.partType))
        for part in [1, 2] {
            XCTAssertEqual(outHeaders[part].dataWindow, headers[part].dataWindow)
            XCTAssertEqual(outHeaders[part].tiles, headers[part].tiles)
            for (key, value) in headers[part].attributes { XCTAssertEqual(outHeaders[part].attributes[key], value, "part \(part): \(key)") }
        }
        let plateParts = try [0, 3].map { try ExrImage.read(plate, part: .index($0), layer: nil) }
        let outParts = try [0, 3].map { try ExrImage.read(out, part: .index($0), layer: nil) }
        assertKept(plateParts[0], in: outParts[0], except: ["R", "G", "B"])
        XCTAssertNotNil(outParts[0].image.channelIndex("swap.A"))
        XCTAssertNotEqual(outParts[0].image[channel: "G"], plateParts[0].image[channel: "G"], "the face was swapped")
        assertKept(plateParts[1], in: outParts[1])

        // OpenEXR's exrmultipart writes each deep part out of plate and output as the same bytes.
        for (file, base) in [(plate, "plate-split"), (out, "out-split")] {
            try ColourTagFixtures.tool(["exrmultipart", "-separate", "-i", file.path, "-o", dir.appendingPathComponent(base).path])
        }
        for part in [2, 3] {
            let a = try Data(contentsOf: dir.appendingPathComponent("plate-split.\(part).exr"))
            let b = try Data(contentsOf: dir.appendingPathComponent("out-split.\(part).exr"))
            XCTAssertGreaterThan(a.count, 100_000)
            XCTAssertEqual(a, b, "deep part \(part - 1) split out of the output differs from the plate's")
        }
        // Sample for sample with OpenEXR's Python bindings (counts and values of every deep pixel).
        if let text = try ExrPassThroughCheck.python(plate: plate, output: out, swapped: "rgb:R,G,B", dump: []) {
            XCTAssertTrue(text.contains("5 channels kept bit for bit (225625 samples)"), text)
            XCTAssertTrue(text.contains("5 channels kept bit for bit (814385 samples)"), text)
        }

        // A deep part cut short (the deep tiled one last in frame 1002) fails its frame as a damaged
        // plate frame, naming the part, before anything is written.
        let cut = plates.appendingPathComponent("plate.1002.exr")
        try ColourTagFixtures.tool(["exrmultipart", "-combine", "-i", rgb.path, deep[0], "-o", cut.path])
        let bytes = try Data(contentsOf: cut)
        try bytes.prefix(bytes.count - 300).write(to: cut)
        let again = try ShotRunner(config: try ShotConfig.load(url), faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(again.failed.map(\.frame), [1002])
        let error = try XCTUnwrap(again.failed.first?.error)
        XCTAssertTrue(error.contains("plate.1002.exr") && error.contains("\"rgba.left\"") && error.contains("damaged"), error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("deep-out/swap.1002.exr").path))
    }

    /// The parts copied at write time are checked when the frame is read: a plate whose last part
    /// (`aovs`) is cut short fails that frame as a damaged plate frame, naming the file and the
    /// part, and leaves no output, as a truncated single-part frame does.
    func testTruncatedPassThroughPartFailsTheFrame() throws {
        try writePlate(frames: [1001, 1002])
        let damaged = dir.appendingPathComponent("plates/plate.1002.exr")
        let bytes = try Data(contentsOf: damaged)
        try bytes.prefix(bytes.count - 200).write(to: damaged)
        XCTAssertNoThrow(try ExrImage.read(damaged, part: .index(1), layer: ""), "the swapped part itself still reads")
        let report = try ShotRunner(config: try shot(output: "cut"), faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(report.done, [1001])
        XCTAssertEqual(report.failed.map(\.frame), [1002])
        let error = try XCTUnwrap(report.failed.first?.error)
        XCTAssertTrue(error.contains("plate.1002.exr") && error.contains("\"aovs\""), error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cut/swap.1002.exr").path))
    }

    /// A luminance/chroma plate (Y, RY, BY with 2x2 subsampled chroma) is read as RGB, as before:
    /// its output is the converted frame (OpenEXR's RGBA interface), not a crash on the missing Y.
    func testLuminanceChromaPlateIsSwappedAsRGB() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ExtractFixtures.data("exr/Chromaticities_Rec709_YC.exr"),
                                         to: dir.appendingPathComponent("plates/plate.1001.exr"))
        let report = try ShotRunner(config: try shot(output: "yc"), faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        let (out, _) = try ExrImage.read(dir.appendingPathComponent("yc/swap.1001.exr"))
        XCTAssertEqual(Set(out.channelNames), ["R", "G", "B", "swap.A"])
    }

    static func exrheader(_ url: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["exrheader", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }
}
