import Foundation
import XCTest
@testable import PlateIO

/// `plateswap info`'s report: the documented JSON schema, and statistics checked against oiiotool.
final class InfoExrTests: XCTestCase {
    func testJsonSchemaForAMultiPartFile() throws {
        let url = ExrTestData.conformance.appendingPathComponent("Cannon_multipart_scanline_tiled_uint.exr")
        let report = try InfoExr.report(for: url, stats: false)
        XCTAssertEqual(report["file"], .string(url.path))
        XCTAssertEqual(report["format"], .string("exr"))
        guard case .array(let parts)? = report["parts"] else { return XCTFail("no parts") }
        XCTAssertEqual(parts.count, 3)
        let depth = parts[1]
        XCTAssertEqual(depth["name"], .string("depth"))
        XCTAssertEqual(depth["dataWindow"], .array([30, 40, 249, 199].map { .int($0) }))
        XCTAssertEqual(depth["displayWindow"], .array([0, 0, 299, 215].map { .int($0) }))
        XCTAssertEqual(depth["channels"], .array([.object([("name", .string("Z")), ("type", .string("float")),
                                                           ("sampling", .array([.int(1), .int(1)]))])]))
        XCTAssertEqual(depth["compression"], .string("zip"))
        XCTAssertEqual(depth["tiled"], .bool(true))
        XCTAssertEqual(parts[2]["channels"].flatMap { if case .array(let c) = $0 { return c.first?["type"] } else { return nil } },
                       .string("uint"))
        XCTAssertEqual(depth["attributes"]?["pixelAspectRatio"], .object([("type", .string("float")), ("value", .float(1))]))
        let text = report.serialized()
        XCTAssertTrue(text.hasPrefix("{\"file\":"), text)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(text.utf8)), "valid JSON")
        XCTAssertTrue(InfoExr.text(report).contains("part 1 \"depth\": tiledimage, compression zip"), InfoExr.text(report))
    }

    func testStatsMatchOiiotool() throws {
        for name in ["TestImages_BrightRingsNanInf.exr", "TestImages_WideColorGamut.exr"] {
            let url = ExrTestData.conformance.appendingPathComponent(name)
            let report = try InfoExr.report(for: url, stats: true)
            guard case .array(let parts)? = report["parts"], case .array(let channels)? = parts.first?["channels"] else {
                return XCTFail("no channels")
            }
            let oiio = try ExrTestData.run("oiiotool", ["--stats", url.path])
            XCTAssertEqual(oiio.status, 0)
            func row(_ label: String) -> [Double] {
                let line = oiio.out.split(separator: "\n").first { $0.contains("Stats \(label):") } ?? ""
                return line.split(separator: ":")[1].split(separator: " ").compactMap { Double($0) }
            }
            // oiiotool lists R, G, B; the file stores B, G, R.
            for (column, channelName) in ["R", "G", "B"].enumerated() {
                let channel = try XCTUnwrap(channels.first { $0["name"] == .string(channelName) })
                func number(_ key: String) -> Double {
                    switch channel[key] {
                    case .float(let f)?: return Double(f)
                    case .double(let d)?: return d
                    case .int(let i)?: return Double(i)
                    default: return .nan
                    }
                }
                XCTAssertEqual(number("min"), row("Min")[column], accuracy: 1e-5, "\(name) \(channelName)")
                XCTAssertEqual(number("max"), row("Max")[column], accuracy: 1e-3, "\(name) \(channelName)")
                XCTAssertEqual(number("mean"), row("Avg")[column], accuracy: 1e-4 * max(1, abs(number("mean"))), "\(name) \(channelName)")
                XCTAssertEqual(number("nan"), row("NanCount")[column], "\(name) \(channelName)")
                XCTAssertEqual(number("inf"), row("InfCount")[column], "\(name) \(channelName)")
            }
        }
    }

    func testUnreadableFilesFailNamingTheFile() throws {
        for name in ["CannonHalf_piz_truncated_lastbyte.exr", "CannonHalf_piz_corrupt_chunk_leader.exr", "v2_LowResLeftView_Balls.exr",
                     "Cannon_htj2k32.exr", "not_an_exr.exr"] {
            let url = ExrTestData.conformance.appendingPathComponent(name)
            XCTAssertThrowsError(try InfoExr.report(for: url, stats: false), name) { error in
                XCTAssertTrue("\(error)".hasPrefix(url.path), "\(error)")
            }
        }
    }

    func testJsonEscapesAndNonFiniteNumbers() {
        let value = InfoJSON.object([("s", .string("a\"b\\c\n\u{1}")), ("n", .float(.nan)), ("i", .double(-.infinity)), ("x", .null)])
        XCTAssertEqual(value.serialized(), #"{"s":"a\"b\\c\n\u0001","n":"nan","i":"-inf","x":null}"#)
    }
}

/// Movies go through FFmpeg's probe.
final class InfoFileTests: XCTestCase {
    func testMovieReportHasCodecSizeFramesAndRate() throws {
        let url = ExrTestData.shared.appendingPathComponent("data/footage/talking_d6.mp4")
        let report = try InfoFile.report(for: url, stats: false)
        XCTAssertEqual(report["format"], .string("movie"))
        XCTAssertEqual(report["codec"], .string("h264"))
        XCTAssertEqual(report["width"], .int(480))
        XCTAssertEqual(report["height"], .int(480))
        XCTAssertEqual(report["frameCount"], .int(1008))
        XCTAssertEqual(report["frameRateRational"], .array([.int(30), .int(1)]))
        XCTAssertEqual(try InfoFile.report(for: ExrTestData.conformance.appendingPathComponent("Cannon_zip.exr"), stats: false)["format"], .string("exr"))
        XCTAssertThrowsError(try InfoFile.report(for: ExrTestData.conformance.appendingPathComponent("not_an_exr.exr"), stats: false)) { error in
            XCTAssertTrue("\(error)".hasPrefix(ExrTestData.conformance.path), "\(error)")
        }
    }
}
