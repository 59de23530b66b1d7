import XCTest
@testable import PlateIO

final class FrameRangeTests: XCTestCase {
    func testForms() throws {
        XCTAssertEqual(try FrameRange(parsing: "1001-1005").frames, [1001, 1002, 1003, 1004, 1005])
        XCTAssertEqual(try FrameRange(parsing: "1001-1010x3").frames, [1001, 1004, 1007, 1010])
        XCTAssertEqual(try FrameRange(parsing: "1001,1005,1010-1012").frames, [1001, 1005, 1010, 1011, 1012])
        XCTAssertEqual(try FrameRange(parsing: " 1005 , 1001-1002,1001").frames, [1001, 1002, 1005], "sorted, unique, spaces ok")
        XCTAssertEqual(try FrameRange(parsing: "-3--1,0").frames, [-3, -2, -1, 0])
        XCTAssertEqual(try FrameRange(parsing: "7").frames, [7])
        XCTAssertEqual(try FrameRange(parsing: "1001-1100x2").description, "1001-1100x2")
        XCTAssertEqual(try FrameRange(first: 1, last: 9, step: 4).frames, [1, 5, 9])
        XCTAssertEqual(FrameRange.compact([1003, 1001, 1002, 1007, 1009, 1008, -1]), "-1,1001-1003,1007-1009")
    }

    func testErrorsNameItemFieldAndReason() {
        func error(_ text: String) -> FrameRangeError? {
            do { _ = try FrameRange(parsing: text); return nil } catch { return error as? FrameRangeError }
        }
        XCTAssertEqual(error("1001-abc")?.field, "last frame")
        XCTAssertEqual(error("1001-abc")?.item, 1)
        XCTAssertEqual(error("1001,x-5")?.item, 2)
        XCTAssertEqual(error("1001,,1005")?.field, "item")
        XCTAssertEqual(error("1001,")?.item, 2)
        XCTAssertEqual(error("1100-1001")?.field, "last frame")
        XCTAssertEqual(error("1001-1100x0")?.field, "step")
        XCTAssertEqual(error("1001-1100x-2")?.field, "step")
        XCTAssertEqual(error("1001x2")?.field, "step")
        XCTAssertEqual(error("abc")?.field, "frame")
        XCTAssertEqual(error("1-99999999")?.field, "range")
        XCTAssertEqual(error("-9223372036854775807-9223372036854775807")?.field, "range", "no overflow trap")
        XCTAssertEqual(error("1001-1100x2.5")?.description, "frame range '1001-1100x2.5', item 1: step '2.5' is not an integer")
    }
}
