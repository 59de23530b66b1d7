import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// Written through exactly (issue 14 part 3, "with its name, type, window and attributes"): uint
/// channels keep every bit of every value (object ids above 2^24, which Float32 cannot hold), and
/// tiled parts stay tiled with their tile description and every mip/rip level. Checked after a run
/// with OpenEXR's Python bindings (scripts/check_exr_passthrough.py), exrheader and idiff.
final class ExactPassThroughTests: XCTestCase {
    var dir: URL!
    static let display = PixelBox(width: 96, height: 72)
    /// Ids around and far above 2^24 (16777216): Float32 would turn 16777217 into 16777216.
    static let ids: [UInt32] = [0, 1, 16_777_216, 16_777_217, 123_456_789, 4_294_967_294, 4_294_967_295]

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("exact")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static func idPlane(_ count: Int, seed: UInt32) -> [UInt32] {
        (0..<count).map { i in i % 3 == 0 ? ids[i % ids.count] : UInt32(truncatingIfNeeded: i &* 2_654_435_761) &+ seed }
    }

    /// Runs `plates/plate.1001.exr` through the pipeline into folder `output`; returns the output frame.
    func runShot(compression: String = "zip", output: String = "out", keys: String = "layers: [rgba, mask]") throws -> URL {
        let url = dir.appendingPathComponent("\(output).yaml")
        try """
            shot: EXACT
            plate: {path: plates/plate.####.exr}
            output: {path: \(output)/swap.####.exr, compression: \(compression), \(keys)}
            model: {path: model.plateswap}
            face: {size: 32}
            blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
            """.write(to: url, atomically: true, encoding: .utf8)
        let report = try ShotRunner(config: try ShotConfig.load(url), faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 32)).run()
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        return dir.appendingPathComponent("\(output)/swap.1001.exr")
    }

    var plateURL: URL { dir.appendingPathComponent("plates/plate.1001.exr") }

    func makePlateFolder() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
    }

    /// A uint `id` in the swapped part and a uint-only pass-through part: every sample comes out
    /// as it went in, through the compressed (zip) and the uncompressed (none) read and write paths.
    func testUintChannelsKeepEveryValue() throws {
        try makePlateFolder()
        let count = Self.display.width * Self.display.height
        var rgb = SyntheticShot.plate(window: Self.display, frame: 1001)
        rgb.addChannel("id", plane: [Float](repeating: 0, count: count))
        var mainHeader = ExrHeader(dataWindow: Self.display, compression: .zip)
        mainHeader.partName = "main"
        var main = ExrPartImage(image: rgb, header: mainHeader, channelTypes: ["id": .uint])
        main.uintPlanes["id"] = Self.idPlane(count, seed: 7)
        let box = PixelBox(x: 5, y: 3, width: 40, height: 30)
        var objectsHeader = ExrHeader(dataWindow: box, displayWindow: Self.display, compression: .rle)
        objectsHeader.partName = "objects"
        var objects = ExrPartImage(image: ImageBuffer(width: 40, height: 30, channels: ["objectId"], fill: 0), header: objectsHeader,
                                   channelTypes: ["objectId": .uint])
        objects.uintPlanes["objectId"] = Self.idPlane(40 * 30, seed: 11)

        for compression in ["zip", "none"] {
            if compression == "none" {
                // Single-part, uncompressed plate and output: the raw-chunk paths.
                try ExrWriter.write(rgb, header: ExrHeader(dataWindow: Self.display), to: plateURL, compression: ExrCompression.none,
                                    pixelType: .half, channelTypes: ["id": .uint], uintPlanes: main.uintPlanes)
            } else {
                try ExrWriter.writeParts([main, objects], to: plateURL, compression: .zip)
            }
            let out = try runShot(compression: compression, output: "out-\(compression)")
            let partCount = compression == "none" ? 1 : 2
            let written = try (0..<partCount).map { try ExrImage.readPart(out, part: $0) }
            XCTAssertEqual(written[0].header.channel(named: "id")?.pixelType, .uint, compression)
            XCTAssertEqual(written[0].uintPlanes["id"], main.uintPlanes["id"], "\(compression): id changed")
            if partCount == 2 {
                XCTAssertEqual(written[1].header.partName, "objects")
                XCTAssertEqual(written[1].uintPlanes["objectId"], objects.uintPlanes["objectId"], "objectId changed")
            }
            // Independently: OpenEXR's Python bindings compare every channel bit for bit and list the ids stored.
            let dumps = ["\(written[0].header.partName ?? "0"):id"] + (partCount == 2 ? ["objects:objectId"] : [])
            guard let report = try ExrPassThroughCheck.python(plate: plateURL, output: out, swapped: "\(written[0].header.partName ?? "0"):R,G,B",
                                                        dump: dumps) else { continue }
            for dump in dumps {
                let line = report.split(separator: "\n").first { $0.hasPrefix("values \(dump.replacingOccurrences(of: ":", with: ".")):") } ?? ""
                let values = Set(line.split(separator: " ").compactMap { UInt32($0) })
                XCTAssertTrue(values.isSuperset(of: Self.ids), "\(compression) \(dump): \(line.prefix(300))")
            }
        }
    }

    /// OpenEXR's mipmap (32x32 tiles, rounded up) and ripmap (64x64, rounded down) samples as
    /// pass-through parts of a plate built by OpenEXR's exrmultipart: they come out tiled with the
    /// same description and every level, sample for sample.
    func testTiledPartsKeepTheirTilesAndEveryLevel() throws {
        try makePlateFolder()
        let rgb = dir.appendingPathComponent("rgb.exr")
        try ColourTagFixtures.tool(["oiiotool", "--pattern", "checker:width=16:height=16", "300x216", "3", "-d", "half",
                                    "--compression", "zip", "-o", rgb.path])
        let samples = ["Cannon_mipmap_roundup_piz.exr", "Cannon_ripmap_rounddown_zip.exr"].map { ExtractFixtures.data("exr/\($0)") }
        try ColourTagFixtures.tool(["exrmultipart", "-combine", "-i", rgb.path] + samples.map(\.path) + ["-o", plateURL.path])
        let out = try runShot()

        let plateHeaders = try ExrImage.headers(of: plateURL), outHeaders = try ExrImage.headers(of: out)
        XCTAssertEqual(outHeaders.map(\.partName), plateHeaders.map(\.partName))
        XCTAssertEqual(outHeaders.map(\.partType), [.scanline, .tiled, .tiled])
        for part in 1...2 {
            XCTAssertEqual(outHeaders[part].tiles, plateHeaders[part].tiles, "part \(part) tiling")
            let (plate, written) = (try ExrImage.readPart(plateURL, part: part), try ExrImage.readPart(out, part: part))
            XCTAssertGreaterThan(plate.levels.count, 8, "part \(part) has its reduced levels")
            XCTAssertEqual(written.levels.map(\.level), plate.levels.map(\.level), "part \(part) levels")
            for (p, w) in zip([(plate.image, ExrLevel(levelX: 0, levelY: 0, width: 300, height: 216))] + plate.levels.map { ($0.image, $0.level) },
                              [written.image] + written.levels.map(\.image)) {
                XCTAssertEqual(w.channelNames, p.0.channelNames)
                for c in p.0.channelNames.indices {
                    XCTAssertTrue(zip(w.planes[c], p.0.planes[c]).allSatisfy { $0.bitPattern == $1.bitPattern },
                                  "part \(part) level (\(p.1.levelX), \(p.1.levelY)) \(p.0.channelNames[c]) changed")
                }
            }
        }
        // OpenEXR's exrheader sees the tiling; OpenImageIO's idiff compares every MIP level of the
        // mipmap part (split out by exrmultipart) with the sample it came from. (OpenImageIO has no
        // ripmaps: idiff fails the ripmap sample against itself; its levels are compared above.)
        let text = try MultiPartPassThroughTests.exrheader(out)
        for needle in ["mip-map", "rip-map", "tile size 32 by 32 pixels", "tile size 64 by 64 pixels", "level sizes rounded up",
                       "level sizes rounded down"] {
            XCTAssertTrue(text.contains(needle), "exrheader lacks \(needle):\n\(text)")
        }
        let separated = dir.appendingPathComponent("sep")
        try ColourTagFixtures.tool(["exrmultipart", "-separate", "-i", out.path, "-o", separated.path])
        XCTAssertNoThrow(try ColourTagFixtures.tool(["idiff", "-a", "-fail", "0", "-warn", "0", samples[0].path, separated.path + ".2.exr"]))
        _ = try ExrPassThroughCheck.python(plate: plateURL, output: out, swapped: "rgb:R,G,B", dump: [])
    }

    /// A tiled plate (exrmaketiled: a mipmap rounded down with clamp, a ripmap rounded up with
    /// periodic/clamp wrap modes and `pixel_type: float`) stays tiled where it is swapped: same tile
    /// description and level mode, every level; level 0 is the composite, bit for bit the plate
    /// outside the matte; the lower levels of the channels plateswap wrote are the ones
    /// exrmaketiled makes from the output's own level 0, and the untouched channel Z keeps the
    /// plate's levels sample for sample. A patch of the tiled plate is a scanline part.
    func testSwappedTiledPartStaysTiledWithEveryLevel() throws {
        try makePlateFolder()
        let rgbz = dir.appendingPathComponent("rgbz.exr")
        try ColourTagFixtures.tool(["oiiotool", "--pattern", "checker:width=8:height=8:color1=0.9,0.6,0.3,250:color2=0.1,0.2,0.4,3",
                                    "150x108", "4", "--chnames", "R,G,B,Z", "-d", "half", "--compression", "zip", "-o", rgbz.path])
        for (name, flags, type) in [("mip", ["-m", "-d", "-t", "32", "32"], ExrPixelType.half),
                                    ("rip", ["-r", "-u", "-t", "16", "64", "-e", "periodic", "clamp"], .float)] {
            try? FileManager.default.removeItem(at: plateURL)
            try ColourTagFixtures.tool(["exrmaketiled"] + flags + [rgbz.path, plateURL.path])
            let out = try runShot(output: name, keys: "layers: [rgba, mask], pixel_type: \(type == .half ? "half" : "float")")
            let (plate, written) = (try ExrImage.readPart(plateURL, part: 0), try ExrImage.readPart(out, part: 0))
            XCTAssertEqual(try ExrImage.headers(of: out).count, 1, "\(name): a single-part plate gives a single-part output")
            XCTAssertEqual(written.header.partType, .tiled, name)
            XCTAssertEqual(written.header.tiles, plate.header.tiles, name)
            XCTAssertGreaterThan(plate.levels.count, 6, name)
            XCTAssertEqual(written.levels.map(\.level), plate.levels.map(\.level), name)

            // Level 0: the composite, the plate's bit for bit where the matte is 0; Z untouched everywhere.
            let matte = written.image[channel: "swap.A"]
            var changed = 0
            for c in ["R", "G", "B"] {
                let (o, p) = (written.image[channel: c], plate.image[channel: c])
                for i in o.indices {
                    if matte[i] == 0 {
                        XCTAssertEqual(o[i].bitPattern, p[i].bitPattern, "\(name) level 0 \(c) \(i) outside the matte")
                    } else if o[i] != p[i] { changed += 1 }
                }
            }
            XCTAssertGreaterThan(changed, 50, "\(name): the face was swapped")
            for (o, p) in zip([written.image] + written.levels.map(\.image), [plate.image] + plate.levels.map(\.image)) {
                XCTAssertEqual(o[channel: "Z"].map(\.bitPattern), p[channel: "Z"].map(\.bitPattern), "\(name): Z changed")
            }

            // The written channels' levels: what exrmaketiled makes of the output's level 0.
            let level0 = dir.appendingPathComponent("\(name)-level0.exr"), reference = dir.appendingPathComponent("\(name)-reference.exr")
            XCTAssertEqual(written.channelTypes["swap.A"], type, name)
            try ExrWriter.write(written.image.selecting(["R", "G", "B", "swap.A"]), to: level0, compression: .zip, pixelType: type)
            try ColourTagFixtures.tool(["exrmaketiled"] + flags + [level0.path, reference.path])
            let expected = try ExrImage.readPart(reference, part: 0)
            XCTAssertEqual(expected.levels.map(\.level), written.levels.map(\.level), name)
            for (o, e) in zip(written.levels, expected.levels) {
                for c in ["R", "G", "B", "swap.A"] {
                    XCTAssertEqual(o.image[channel: c].map(\.bitPattern), e.image[channel: c].map(\.bitPattern),
                                   "\(name) level (\(o.level.levelX), \(o.level.levelY)) \(c) is not exrmaketiled's")
                }
            }
            // Far from the face the reduced levels are the plate's own.
            XCTAssertEqual(written.levels[0].image[channel: "R"][0], plate.levels[0].image[channel: "R"][0], name)

            let text = try MultiPartPassThroughTests.exrheader(out)
            XCTAssertTrue(text.contains(name == "mip" ? "mip-map" : "rip-map"), text)
            _ = try ExrPassThroughCheck.python(plate: plateURL, output: out, swapped: "0:R,G,B", dump: [])
        }
        let patch = try ExrImage.headers(of: try runShot(output: "patch", keys: "mode: patch"))
        XCTAssertEqual(patch.map(\.partType), [.scanline])
        XCTAssertLessThan(patch[0].dataWindow.width, 150, "the patch's own window")
    }
}
