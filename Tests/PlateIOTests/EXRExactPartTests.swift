import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// Parts read and written as they are stored (`ExrImage.readPart`, `ExrWriter.writeParts`): uint
/// samples exact beyond 2^24, tiled parts with their tile description and every level.
final class EXRExactPartTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try ExrTestData.temporaryFolder("exact-part") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Level sizes follow OpenEXR's rules: the shim refuses to decode a level whose size differs
    /// from the one asked for, so reading every level of the samples checks them; the counts and
    /// a few sizes are spelled out here.
    func testLevelsOfMipmapAndRipmapSamples() throws {
        let mip = try ExrImage.readPart(ExrTestData.conformance.appendingPathComponent("Cannon_mipmap_roundup_piz.exr"), part: 0)
        XCTAssertEqual(mip.header.tiles, ExrTileDescription(xSize: 32, ySize: 32, levelMode: .mipmap, roundingMode: .up))
        XCTAssertEqual(mip.levels.map { "\($0.level.width)x\($0.level.height)" },
                       ["150x108", "75x54", "38x27", "19x14", "10x7", "5x4", "3x2", "2x1", "1x1"])
        let rip = try ExrImage.readPart(ExrTestData.conformance.appendingPathComponent("Cannon_ripmap_rounddown_zip.exr"), part: 0)
        XCTAssertEqual(rip.levels.count, 9 * 8 - 1, "300 wide: 9 x levels; 216 high: 8 y levels")
        XCTAssertEqual(rip.levels.last?.level, ExrLevel(levelX: 8, levelY: 7, width: 1, height: 1))
        XCTAssertTrue(rip.levels.map(\.level).contains(ExrLevel(levelX: 3, levelY: 1, width: 37, height: 108)))
    }

    /// uint samples come back exactly from every write and read path (multi-part, single-part
    /// through Imf, single-part uncompressed through the C core and the raw-chunk reader).
    func testUintSamplesRoundTripExactly() throws {
        let values: [UInt32] = [0, 1, 16_777_216, 16_777_217, 123_456_789, 4_294_967_294, 4_294_967_295, 33_554_435]
        let exact = (0..<(16 * 4)).map { values[$0 % values.count] &+ UInt32($0 / values.count) }
        let image = ImageBuffer(width: 16, height: 4, channels: ["R", "id"], fill: 0.5)
        var header = ExrHeader(dataWindow: PixelBox(width: 16, height: 4))
        header.partName = "ids"
        var part = ExrPartImage(image: image, header: header, channelTypes: ["id": .uint])
        part.uintPlanes["id"] = exact
        let multi = dir.appendingPathComponent("multi.exr")
        try ExrWriter.writeParts([part, { var p = part; p.header.partName = "copy"; return p }()], to: multi, compression: .piz)
        XCTAssertEqual(try ExrImage.readPart(multi, part: 1).uintPlanes["id"], exact)
        for compression in [ExrCompression.none, .zip, .rle] {
            let single = dir.appendingPathComponent("single-\(compression.name).exr")
            try ExrWriter.write(image, to: single, compression: compression, channelTypes: ["id": .uint], uintPlanes: ["id": exact])
            let read = try ExrImage.readPart(single, part: 0)
            XCTAssertEqual(read.uintPlanes["id"], exact, compression.name)
            XCTAssertEqual(read.image[channel: "id"], exact.map { Float($0) }, "\(compression.name): the Float plane is the nearest Float32")
            XCTAssertNil(read.uintPlanes["R"])
        }
    }

    /// A tiled part is written with every level its mode has, or not at all.
    func testTiledPartNeedsEveryLevel() throws {
        let source = try ExrImage.readPart(ExrTestData.conformance.appendingPathComponent("Cannon_mipmap_roundup_piz.exr"), part: 0)
        var part = source
        part.header.partName = "mip"
        let out = dir.appendingPathComponent("mip.exr")
        try ExrWriter.writeParts([part], to: out, compression: .zip)
        let back = try ExrImage.readPart(out, part: 0)
        XCTAssertEqual(back.header.tiles, source.header.tiles)
        XCTAssertEqual(back.levels.map(\.level), source.levels.map(\.level))
        XCTAssertEqual(back.levels.last?.image, source.levels.last?.image)
        part.levels.removeLast()
        XCTAssertThrowsError(try ExrWriter.writeParts([part], to: dir.appendingPathComponent("short.exr"), compression: .zip)) { error in
            XCTAssertEqual((error as? PlateIOError)?.kind, .invalidRequest, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("short.exr").path))
    }

    /// Copied parts (`ExrPartImage(copying:of:header:)`) are written as their file stores them,
    /// beside a part written from pixels: OpenEXR's deep tiled and deep scanline Balls samples
    /// (the second renamed, as both are "rgba.left"), each with its own compression whatever the
    /// write asks for. exrmultipart splits the deep tiled part back out byte for byte as it splits
    /// the sample. (The parts of one file share a display window: OpenEXR refuses others.)
    func testCopiedPartsKeepTheirHeaderAndEveryChunk() throws {
        let samples = ["Balls_deeptiled_crop.exr", "v2_LowResLeftView_Balls.exr"].map { ExrTestData.conformance.appendingPathComponent($0) }
        var copied = try samples.map { ExrPartImage(copying: 0, of: $0, header: try ExrImage.headers(of: $0)[0]) }
        copied[1].header.partName = "balls.scan"
        var flatHeader = ExrHeader(dataWindow: PixelBox(width: 16, height: 8), displayWindow: copied[0].header.displayWindow)
        flatHeader.partName = "flat"
        let flat = ExrPartImage(image: ImageBuffer(width: 16, height: 8, channels: ["Y"], fill: 0.5), header: flatHeader)
        let out = dir.appendingPathComponent("copied.exr")
        try ExrWriter.writeParts([flat] + copied, to: out, compression: .piz)

        let headers = try ExrImage.headers(of: out)
        XCTAssertEqual(headers.map(\.partName), ["flat", "rgba.left", "balls.scan"])
        XCTAssertEqual(headers.map(\.partType), [.scanline, .deepTiled, .deepScanline])
        XCTAssertEqual(headers.map(\.compression), [.piz] + copied.map(\.header.compression))
        XCTAssertNotEqual(copied[0].header.compression, .piz, "deep parts cannot be PIZ: the copy kept its own")
        for (written, sample) in zip(headers.dropFirst(), copied.map(\.header)) {
            XCTAssertEqual(written.dataWindow, sample.dataWindow)
            XCTAssertEqual(written.tiles, sample.tiles)
            XCTAssertEqual(written.channels, sample.channels)
            for (key, value) in sample.attributes { XCTAssertEqual(written.attributes[key], value, "\(sample.partName ?? "?"): \(key)") }
        }

        // OpenEXR's exrmultipart separates the deep part from both files the same way: same bytes.
        for (file, base) in [(out, "out"), (samples[0], "sample")] {
            let split = try ExrTestData.run("exrmultipart", ["-separate", "-i", file.path, "-o", dir.appendingPathComponent(base).path])
            XCTAssertEqual(split.status, 0, split.err)
        }
        let separated = try Data(contentsOf: dir.appendingPathComponent("out.2.exr"))
        XCTAssertGreaterThan(separated.count, 100_000)
        XCTAssertEqual(separated, try Data(contentsOf: dir.appendingPathComponent("sample.1.exr")), "the deep tiled part changed")
        XCTAssertEqual(try ExrImage.read(out, part: .index(0), layer: nil).image[channel: "Y"], [Float](repeating: 0.5, count: 128))
    }
}
