import XCTest
@testable import PlateIO

/// SMPTE timecode arithmetic for a movie plate's per-frame `timeCode`.
final class TimecodeTests: XCTestCase {
    func testNonDropFrameCountsAndCarries() throws {
        let start = try XCTUnwrap(Timecode(parsing: "00:00:03:10", frameRate: 30))
        XCTAssertEqual(start.adding(2).description, "00:00:03:12")
        XCTAssertEqual(start.adding(20).description, "00:00:04:00")
        XCTAssertEqual(try XCTUnwrap(Timecode(parsing: "23:59:59:23", frameRate: 24)).adding(1).description, "00:00:00:00")
        XCTAssertEqual(try XCTUnwrap(Timecode(parsing: "01:02:03:04", frameRate: 24000.0 / 1001)).adding(24 * 60).description, "01:03:03:04")
        XCTAssertNil(Timecode(parsing: "00:00:03:30", frameRate: 30), "frame 30 does not exist at 30 fps")
        XCTAssertNil(Timecode(parsing: "3 seconds", frameRate: 30))
    }

    /// 29.97 drop-frame skips frame numbers 00 and 01 at each minute but every tenth.
    func testDropFrameSkipsTheDroppedNumbers() throws {
        let rate = 30000.0 / 1001
        let a = try XCTUnwrap(Timecode(parsing: "00:00:59;29", frameRate: rate))
        XCTAssertTrue(a.dropFrame)
        XCTAssertEqual(a.adding(1).description, "00:01:00;02")
        XCTAssertEqual(try XCTUnwrap(Timecode(parsing: "00:09:59;29", frameRate: rate)).adding(1).description, "00:10:00;00")
        // One hour of 29.97 video is 107892 frames.
        XCTAssertEqual(try XCTUnwrap(Timecode(parsing: "00:00:00;00", frameRate: rate)).adding(107_892).description, "01:00:00;00")
        XCTAssertEqual(a.adding(1).adding(-1), a)
    }

    /// The EXR value is binary-coded decimal, as OpenEXR's Imf::TimeCode packs it.
    func testEXRValueIsBCD() throws {
        XCTAssertEqual(try XCTUnwrap(Timecode(parsing: "12:34:56:23", frameRate: 24)).exr.timeAndFlags, 0x1234_5623)
        let drop = try XCTUnwrap(Timecode(parsing: "01:00:00;02", frameRate: 29.97)).exr
        XCTAssertEqual(drop.timeAndFlags, 0x0100_0042)
        XCTAssertEqual(drop.description, "01:00:00;02")
    }
}
