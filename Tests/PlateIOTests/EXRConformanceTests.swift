import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// Every file of ../shared/data/exr (OpenEXR's sample images and damaged files) is read with the
/// pixel values an independent reader (oiiotool) gives, or rejected as its README row demands.
final class EXRConformanceTests: XCTestCase {
    func testReadableFilesMatchOiiotoolPixelForPixel() throws {
        let expectations = try ExrTestData.expectations()
        let files = try ExrTestData.files(in: ExrTestData.conformance).filter { expectations[$0.lastPathComponent] == .read }
        XCTAssertGreaterThan(files.count, 40, "the README table should list the readable files")
        let scratch = try ExrTestData.temporaryFolder("conformance")
        defer { try? FileManager.default.removeItem(at: scratch) }

        // One oiiotool run decodes every part of every file (its start-up alone takes ~0.5 s).
        var jobs: [(file: URL, part: Int, reference: URL)] = []
        for file in files {
            let parts = try ExrImage.headers(of: file).count
            for part in 0..<parts {
                jobs.append((file, part, scratch.appendingPathComponent("\(file.deletingPathExtension().lastPathComponent)_\(part).exr")))
            }
        }
        let result = try ExrTestData.run("oiiotool", jobs.flatMap { ExrTestData.oiiotoolDecodeArguments($0.file, part: $0.part, to: $0.reference) })
        XCTAssertEqual(result.status, 0, String(result.err.prefix(300)))

        for job in jobs {
            let label = "\(job.file.lastPathComponent) part \(job.part)"
            let (ours, header) = try ExrImage.read(job.file, part: .index(job.part))
            let (reference, referenceHeader) = try ExrImage.read(job.reference)
            XCTAssertEqual(header.dataWindow, referenceHeader.dataWindow, label)
            // OIIO reports a cube map's display window as one face; the file's window is the whole strip.
            if header.attributes["envmap"] != .envmap(1) {
                XCTAssertEqual(header.displayWindow, referenceHeader.displayWindow, label)
            }
            XCTAssertEqual(Set(ours.channelNames), Set(reference.channelNames), label)
            XCTAssertEqual(ours.channelNames.count, header.channels.count, label)
            for name in ours.channelNames where reference.channelIndex(name) != nil {
                var expected = reference[channel: name]
                if header.channel(named: name)?.pixelType == .uint {
                    // oiiotool -d float normalises uint to [0, 1]; undo that to compare the integers.
                    expected = expected.map { Float((Double($0) * Double(UInt32.max)).rounded()) }
                }
                assertIdenticalPlanes(ours[channel: name], expected, "\(label) channel \(name)")
            }
        }
    }

    func testDamagedAndUnsupportedFilesAreRejectedNamingTheFile() throws {
        let expectations = try ExrTestData.expectations()
        let rejected = try ExrTestData.files(in: ExrTestData.conformance).filter { expectations[$0.lastPathComponent] == .reject }
        XCTAssertGreaterThanOrEqual(rejected.count, 12)
        for file in rejected {
            // Both the pixel read and the cheap structural check (used by `plateswap info`) must fail.
            for (what, attempt) in [("read", { _ = try ExrImage.read(file) }), ("verify", { try ExrImage.verify(file) })] {
                do {
                    try attempt()
                    XCTFail("\(file.lastPathComponent): \(what) should fail")
                } catch let error as PlateIOError {
                    XCTAssertTrue(error.description.hasPrefix(file.path), "\(what): \(error)")
                    XCTAssertFalse(error.reason.isEmpty)
                }
            }
        }
    }

    func testGarbledFilesAreReadOrRejectedWithoutCrashing() throws {
        let garbled = try ExrTestData.files(in: ExrTestData.conformance).filter { $0.lastPathComponent.contains("garbled") }
        XCTAssertEqual(garbled.count, 2)
        for file in garbled {
            do {
                let (image, header) = try ExrImage.read(file)
                XCTAssertEqual(image.width, header.dataWindow.width)
            } catch let error as PlateIOError {
                XCTAssertTrue(error.description.hasPrefix(file.path), "\(error)")
            }
        }
    }

    func testSpecificErrorsSayWhatIsWrong() throws {
        func reason(_ name: String) -> String {
            do {
                _ = try ExrImage.read(ExrTestData.conformance.appendingPathComponent(name))
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(reason("Cannon_htj2k32.exr").contains("HTJ2K32"), reason("Cannon_htj2k32.exr"))
        XCTAssertTrue(reason("v2_LowResLeftView_Balls.exr").contains("deep data is not supported"))
        XCTAssertTrue(reason("Balls_deeptiled_crop.exr").contains("deep data is not supported"))
        XCTAssertTrue(reason("png_named_exr.exr").contains("not an OpenEXR file"))
        XCTAssertTrue(reason("empty.exr").contains("empty file"))
        XCTAssertTrue(reason("CannonHalf_piz_bad_version.exr").contains("version 3"))
        XCTAssertTrue(reason("CannonHalf_piz_truncated_lastbyte.exr").contains("cannot read pixels"))
        XCTAssertTrue(reason("missing.exr").contains("no such file"))
    }

    func testLuminanceChromaIsConvertedToRGB() throws {
        let (yc, _) = try ExrImage.read(ExrTestData.conformance.appendingPathComponent("Chromaticities_Rec709_YC.exr"))
        let (rgb, _) = try ExrImage.read(ExrTestData.conformance.appendingPathComponent("Chromaticities_Rec709.exr"))
        XCTAssertEqual(yc.channelNames, ["R", "G", "B"])
        XCTAssertEqual(yc.width, rgb.width)
        // The same picture stored as RGB: only chroma subsampling separates them.
        for name in ["R", "G", "B"] {
            let a = yc[channel: name], b = rgb[channel: name]
            var diff = 0.0, energy = 0.0
            for i in 0..<a.count { diff += Double(abs(a[i] - b[i])); energy += Double(abs(b[i])) }
            XCTAssertLessThan(diff / energy, 0.1, name)
        }
        XCTAssertThrowsError(try ExrImage.read(ExrTestData.conformance.appendingPathComponent("Chromaticities_Rec709_YC.exr"),
                                               options: ExrReadOptions(convertLuminanceChroma: false)))
    }

    func testPartsByNameAndLayersByPrefix() throws {
        let multipart = ExrTestData.conformance.appendingPathComponent("Cannon_multipart_scanline_tiled_uint.exr")
        let (depth, header) = try ExrImage.read(multipart, part: "depth")
        XCTAssertEqual(header.partName, "depth")
        XCTAssertEqual(header.dataWindow, PixelBox(xMin: 30, yMin: 40, xMax: 249, yMax: 199))
        XCTAssertNotNil(header.tiles)
        XCTAssertEqual(depth.channelNames, ["Z"])
        let (ids, _) = try ExrImage.read(multipart, part: 2)
        XCTAssertEqual(Set(ids[channel: "objectId"]), [1, 2, 3, 4])
        XCTAssertThrowsError(try ExrImage.read(multipart, part: "nope")) { error in
            XCTAssertTrue("\(error)".contains("beauty, depth, id"), "\(error)")
        }
        XCTAssertThrowsError(try ExrImage.read(multipart, part: 7))

        let stereo = ExrTestData.conformance.appendingPathComponent("Beachball_singlepart.0001.exr")
        let (all, _) = try ExrImage.read(stereo)
        let (left, _) = try ExrImage.read(stereo, layer: "left")
        XCTAssertEqual(left.channelNames, ["R", "G", "B", "A", "Z"])
        XCTAssertEqual(left[channel: "G"], all[channel: "left.G"])
        let (base, _) = try ExrImage.read(stereo, layer: "")
        XCTAssertEqual(base.channelNames, ["R", "G", "B", "A", "Z"])
        XCTAssertEqual(base[channel: "R"], all[channel: "R"])
        XCTAssertThrowsError(try ExrImage.read(stereo, layer: "diffuse")) { error in
            XCTAssertTrue("\(error)".contains("disparityL"), "\(error)")
        }
    }

    func testPlateHeaderAttributesAreTyped() throws {
        let plate = ExrTestData.shared.appendingPathComponent("data/plates/s18_dwaa_crop/plate.1001.exr")
        let header = try XCTUnwrap(ExrImage.headers(of: plate).first)
        XCTAssertEqual(header.compression, .dwaa)
        XCTAssertEqual(header.dataWindow, PixelBox(xMin: 100, yMin: 40, xMax: 1179, yMax: 679))
        XCTAssertEqual(header.displayWindow, PixelBox(width: 1280, height: 720))
        XCTAssertEqual(header.attributes["owner"], .string("plateswap test data"))
        XCTAssertEqual(header.attributes["framesPerSecond"], .rational(numerator: 30, denominator: 1))
        guard case .timecode(let timeCode)? = header.attributes["timeCode"] else { return XCTFail("no timeCode") }
        XCTAssertEqual(timeCode.description, "00:00:03:10")
        guard case .chromaticities(let c)? = header.attributes["chromaticities"] else { return XCTFail("no chromaticities") }
        XCTAssertEqual(c.red.x, 0.64, accuracy: 1e-6)
        XCTAssertEqual(c.white.y, 0.329, accuracy: 1e-4)
        XCTAssertEqual(header.attributes["testdata:source"], .string("s18.mp4 frame 100"))
        XCTAssertNil(header.attributes["dataWindow"], "structural attributes live in typed fields")
    }
}
