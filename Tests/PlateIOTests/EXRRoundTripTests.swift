import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// Write then read back, with our reader and with oiiotool: every compression x half/float,
/// windows with negative origins, typed attributes of every kind, an extra `swap.mask` layer.
final class EXRRoundTripTests: XCTestCase {
    static let dataWindow = PixelBox(xMin: -13, yMin: -7, xMax: 53, yMax: 37)      // 67x45: partial blocks everywhere
    static let displayWindow = PixelBox(xMin: 0, yMin: 0, xMax: 47, yMax: 31)

    static let attributes: [String: ExrAttribute] = [
        "owner": .string("plateswap tests"),
        "pixelAspectRatio": .float(1.5),
        "screenWindowCenter": .v2f([0.25, -0.5]),
        "screenWindowWidth": .float(2),
        "testInt": .int(-42),
        "testDouble": .double(1.0 / 3.0),
        "testV2i": .v2i([3, -4]),
        "testV3f": .v3f([1, 2, 3.5]),
        "testV3i": .v3i([7, 8, 9]),
        "testV2d": .v2d([0.1, 0.2]),
        "testBox2i": .box2i(PixelBox(xMin: -1, yMin: -2, xMax: 3, yMax: 4)),
        "testBox2f": .box2f(min: [0.5, 1.5], max: [2.5, 3.5]),
        "worldToCamera": .m44f((0..<16).map { Float($0) * 0.5 }),
        "testM33f": .m33f((0..<9).map { Float($0) - 4 }),
        "chromaticities": .chromaticities(ExrChromaticities(red: [0.713, 0.293], green: [0.165, 0.83], blue: [0.128, 0.044], white: [0.32168, 0.33767])),
        "framesPerSecond": .rational(numerator: 24000, denominator: 1001),
        "timeCode": .timecode(ExrTimeCode(timeAndFlags: 0x0103_0310, userData: 7)),
        "keyCode": .keycode(ExrKeyCode(filmMfcCode: 1, filmType: 2, prefix: 3, count: 4, perfOffset: 5, perfsPerFrame: 4, perfsPerCount: 64)),
        "multiView": .stringVector(["left", "right"]),
        "testFloats": .floatVector([1, -2, 3.25]),
        "envmapLike": .envmap(0),
        "testdata:custom": .opaque(type: "myVendorType", bytes: [1, 2, 3, 250]),
        "preview": .preview(width: 2, height: 1, rgba: [255, 0, 0, 255, 0, 255, 0, 128]),
    ]

    /// A plate-like image with values beyond [0, 1] and a mask layer.
    static func image() -> ImageBuffer {
        let w = dataWindow.width, h = dataWindow.height
        var image = ImageBuffer(width: w, height: h, channels: ["R", "G", "B", "A", "swap.mask"])
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let u = Float(x) / Float(w), v = Float(y) / Float(h)
                image.planes[0][i] = u * 4 - 1
                image.planes[1][i] = v + 0.01 * sin(Float(i))
                image.planes[2][i] = 0.5 * (u + v)
                image.planes[3][i] = 1
                image.planes[4][i] = (x - 20) * (x - 20) + (y - 15) * (y - 15) < 100 ? 1 : 0
            }
        }
        return image
    }

    func testEveryCompressionAndPixelTypeRoundTrips() throws {
        let folder = try ExrTestData.temporaryFolder("roundtrip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Self.image()
        let header = ExrHeader(dataWindow: Self.dataWindow, displayWindow: Self.displayWindow, attributes: Self.attributes)
        var oiioArguments: [String] = []
        var written: [(url: URL, reference: URL, compression: ExrCompression, type: ExrPixelType)] = []
        for compression in ExrCompression.allCases {
            for type in [ExrPixelType.half, .float] {
                let url = folder.appendingPathComponent("rt_\(compression.name)_\(type.name).exr")
                try ExrWriter.write(source, header: header, to: url, compression: compression, pixelType: type, threads: 2)
                let reference = folder.appendingPathComponent("ref_\(compression.name)_\(type.name).exr")
                oiioArguments += ExrTestData.oiiotoolDecodeArguments(url, part: 0, to: reference)
                written.append((url, reference, compression, type))
            }
        }
        let oiio = try ExrTestData.run("oiiotool", oiioArguments)
        XCTAssertEqual(oiio.status, 0, String(oiio.err.prefix(300)))

        for item in written {
            let label = "\(item.compression.name) \(item.type.name)"
            let (back, readHeader) = try ExrImage.read(item.url)
            XCTAssertEqual(readHeader.dataWindow, Self.dataWindow, label)
            XCTAssertEqual(readHeader.displayWindow, Self.displayWindow, label)
            XCTAssertEqual(readHeader.compression, item.compression, label)
            XCTAssertEqual(readHeader.channels.map(\.pixelType), Array(repeating: item.type, count: 5), label)
            XCTAssertEqual(back.channelNames, source.channelNames, label)
            for (name, expected) in Self.attributes {
                XCTAssertEqual(readHeader.attributes[name], expected, "\(label) attribute \(name)")
            }
            // Exact for lossless codecs (after rounding to half); lossy ones stay close.
            for name in source.channelNames {
                let original = source[channel: name], decoded = back[channel: name]
                let stored = item.type == .half ? original.map { Float(Float16($0)) } : original
                let lossy = item.compression.isLossy && !(item.compression == .pxr24 && item.type == .half)
                    && !(item.type == .float && [.b44, .b44a].contains(item.compression))  // B44 only packs half
                let error = zip(stored, decoded).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(error, lossy ? 0.06 : 0, "\(label) channel \(name)")
            }
            // An independent decoder sees the same pixels and windows.
            let (oiioPixels, oiioHeader) = try ExrImage.read(item.reference)
            XCTAssertEqual(oiioHeader.dataWindow, Self.dataWindow, label)
            XCTAssertEqual(oiioHeader.displayWindow, Self.displayWindow, label)
            for name in source.channelNames {
                assertIdenticalPlanes(back[channel: name], oiioPixels[channel: name], "\(label) oiiotool \(name)")
            }
        }
        // exrheader (OpenEXR's own tool) lists the passed-through attributes.
        let listing = try ExrTestData.run("exrheader", [written[0].url.path])
        XCTAssertEqual(listing.status, 0)
        for needle in ["owner (type string): \"plateswap tests\"", "myVendorType", "framesPerSecond (type rational): 24000/1001",
                       "swap.mask, 16-bit floating-point", "dataWindow (type box2i): (-13 -7) - (53 37)"] {
            XCTAssertTrue(listing.out.contains(needle), "exrheader output lacks \(needle)")
        }
    }

    func testPlateHeaderPassesThroughAndTempFilesVanish() throws {
        let folder = try ExrTestData.temporaryFolder("passthrough")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plate = ExrTestData.shared.appendingPathComponent("data/plates/s18_dwaa_crop/plate.1001.exr")
        var (image, header) = try ExrImage.read(plate)
        image.addChannel("swap.mask", plane: [Float](repeating: 0.5, count: image.pixelCount))
        let out = folder.appendingPathComponent("swap.1001.exr")
        try ExrWriter.write(image, header: header, to: out)
        let (back, backHeader) = try ExrImage.read(out)
        XCTAssertEqual(backHeader.attributes, header.attributes)
        XCTAssertEqual(backHeader.dataWindow, header.dataWindow)
        XCTAssertEqual(backHeader.displayWindow, header.displayWindow)
        XCTAssertEqual(backHeader.compression, .dwaa)
        XCTAssertEqual(back.channelNames, ["R", "G", "B", "A", "swap.mask"])
        XCTAssertEqual(back[channel: "A"], image[channel: "A"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["swap.1001.exr"])

        // A failed write leaves neither a partial file nor a temporary behind.
        let bad = folder.appendingPathComponent("bad.exr")
        XCTAssertThrowsError(try ExrWriter.write(image, header: ExrHeader(dataWindow: PixelBox(width: 3, height: 3)), to: bad))
        header.attributes["pixelAspectRatio"] = .string("not a float")
        XCTAssertThrowsError(try ExrWriter.write(image, header: header, to: bad)) { error in
            XCTAssertTrue("\(error)".hasPrefix(bad.path), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["swap.1001.exr"])
    }

    /// Chunks are compressed by OpenEXR's threads, fed in bands of whole chunks: the file must not
    /// depend on the thread count or on where the bands fall (DWAB: 256-line chunks, 600 rows).
    /// Also the third pixel type: uint channels written from Float32 integers.
    func testParallelWriteIsByteIdenticalToSerialAndUintChannelsRoundTrip() throws {
        let folder = try ExrTestData.temporaryFolder("parallel")
        defer { try? FileManager.default.removeItem(at: folder) }
        let w = 300, h = 600
        var image = ImageBuffer(width: w, height: h, channels: ["R", "G", "B", "id"])
        for i in 0..<(w * h) {
            image.planes[0][i] = Float(i % w) / Float(w) * 2 - 0.5
            image.planes[1][i] = sin(Float(i) * 0.001)
            image.planes[2][i] = Float(i / w) / Float(h)
            image.planes[3][i] = Float((i * 7919) % 70_001)
        }
        for compression in [ExrCompression.none, .zip, .piz, .dwab] {
            var files: [Data] = []
            for threads in [1, 2, 3] {
                let url = folder.appendingPathComponent("p_\(compression.name)_\(threads).exr")
                try ExrWriter.write(image, to: url, compression: compression, pixelType: .half, channelTypes: ["id": .uint], threads: threads)
                files.append(try Data(contentsOf: url))
            }
            XCTAssertEqual(files[0], files[1], "\(compression.name): 1 vs 2 threads")
            XCTAssertEqual(files[0], files[2], "\(compression.name): 1 vs 3 threads")
            let (back, header) = try ExrImage.read(folder.appendingPathComponent("p_\(compression.name)_2.exr"))
            XCTAssertEqual(header.channel(named: "id")?.pixelType, .uint)
            XCTAssertEqual(back[channel: "id"], image[channel: "id"], "\(compression.name): uint values exact")
            if !compression.isLossy {
                XCTAssertEqual(back[channel: "G"], image[channel: "G"].map { Float(Float16($0)) }, compression.name)
            }
        }
        let listing = try ExrTestData.run("exrheader", [folder.appendingPathComponent("p_piz_1.exr").path])
        XCTAssertTrue(listing.out.contains("id, 32-bit unsigned integer"), listing.out)
    }

    func testAttributeBytesRoundTripExactly() throws {
        for (name, value) in Self.attributes {
            let bytes = value.encoded()
            let decoded = try bytes.withUnsafeBytes { try ExrAttribute.decode(type: value.typeName, bytes: $0) }
            XCTAssertEqual(decoded, value, name)
        }
        let timeCode = ExrTimeCode(timeAndFlags: 0x0103_0310)
        XCTAssertEqual(timeCode.description, "01:03:03:10")
        XCTAssertEqual(ExrCompression(name: "DWAA"), .dwaa)
        XCTAssertNil(ExrCompression(name: "jpeg"))
    }
}
