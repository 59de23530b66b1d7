import XCTest
@testable import PlateIO

final class SequencePatternTests: XCTestCase {
    func testTokenForms() throws {
        for (pattern, padding) in [("plate.####.exr", 4), ("plate.%04d.exr", 4), ("plate.$F4.exr", 4), ("plate.@@@@.exr", 4),
                                   ("plate.%d.exr", 1), ("plate.$F.exr", 1), ("plate.#.exr", 1), ("/a/b/p_######.dpx", 6)] {
            let p = try SequencePattern(pattern)
            XCTAssertEqual(p.padding, padding, pattern)
        }
        let p = try SequencePattern("/shots/sh010/plate.$F4.exr")
        XCTAssertEqual(p.path(frame: 1001), "/shots/sh010/plate.1001.exr")
        XCTAssertEqual(p.fileName(frame: 7), "plate.0007.exr")
        XCTAssertEqual(p.fileName(frame: 12345), "plate.12345.exr")
        XCTAssertEqual(p.fileName(frame: -5), "plate.-0005.exr")
        XCTAssertEqual(p.frame(inFileName: "plate.1001.exr"), 1001)
        XCTAssertEqual(p.frame(inFileName: "plate.-0005.exr"), -5)
        XCTAssertEqual(p.frame(inFileName: "plate.12345.exr"), 12345)
        XCTAssertNil(p.frame(inFileName: "plate.101.exr"), "too few digits")
        XCTAssertNil(p.frame(inFileName: "plate.01001.exr"), "over-padded")
        XCTAssertNil(p.frame(inFileName: "plate.1001.exr.tmp"))
        XCTAssertNil(p.frame(inFileName: "plate.10a1.exr"))
        XCTAssertEqual(try SequencePattern("x.%d.png").frame(inFileName: "x.0.png"), 0)
        XCTAssertNil(try SequencePattern("x.%d.png").frame(inFileName: "x.07.png"))
    }

    func testPatternErrors() {
        XCTAssertThrowsError(try SequencePattern("/a/plate.1001.exr")) { error in
            XCTAssertEqual(error as? SequenceError, .noFrameToken(path: "/a/plate.1001.exr"))
            XCTAssertTrue("\(error)".contains("/a/plate.1001.exr"))
        }
        XCTAssertThrowsError(try SequencePattern("a.##.@@.exr")) { error in
            XCTAssertTrue("\(error)".contains("more than one frame token"), "\(error)")
        }
        XCTAssertTrue(SequencePattern.hasFrameToken("/shots/a/p.%04d.png"))
        XCTAssertFalse(SequencePattern.hasFrameToken("/shots/a/clip.mov"))
    }

    func testDetectFromFile() throws {
        let found = try XCTUnwrap(SequencePattern.detect(fromFile: URL(fileURLWithPath: "/p/sh010_v2.1001.exr")))
        XCTAssertEqual(found.frame, 1001)
        XCTAssertEqual(found.pattern.pattern, "/p/sh010_v2.####.exr")
        XCTAssertNil(SequencePattern.detect(fromFile: URL(fileURLWithPath: "/p/clip.mov")))
    }

    func testListingReportsMissingFrames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for frame in [1001, 1002, 1004, 1007] {
            try Data([1]).write(to: dir.appendingPathComponent(String(format: "plate.%04d.exr", frame)))
        }
        for stray in ["plate.1003.exr.tmp", "plate.103.exr", "other.1005.exr", "plate.1005.png"] {
            try Data([1]).write(to: dir.appendingPathComponent(stray))
        }
        // The four spellings of the same sequence list the same frames.
        for spelling in ["plate.####.exr", "plate.%04d.exr", "plate.$F4.exr", "plate.@@@@.exr"] {
            let listing = try SequencePattern(dir.appendingPathComponent(spelling).path).listing()
            XCTAssertEqual(listing.found, [1001, 1002, 1004, 1007], spelling)
            XCTAssertEqual(listing.missing, [1003, 1005, 1006], spelling)
        }
        let pattern = try SequencePattern(dir.appendingPathComponent("plate.@@@@.exr").path)
        let listing = try pattern.listing()
        XCTAssertTrue(listing.description.hasSuffix("4 frames (1001-1007), missing 1003,1005-1006"), listing.description)
        let wanted = try pattern.listing(range: FrameRange(parsing: "1000-1002,1007-1008"))
        XCTAssertEqual(wanted.missing, [1000, 1008])
        let stepped = try pattern.listing(range: FrameRange(parsing: "1001-1007x2"))
        XCTAssertEqual(stepped.missing, [1003, 1005])
        XCTAssertThrowsError(try SequencePattern(dir.appendingPathComponent("nope/p.####.exr").path).framesOnDisk()) { error in
            XCTAssertTrue("\(error)".contains("nope"), "\(error)")
        }
    }
}
