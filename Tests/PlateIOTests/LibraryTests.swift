import XCTest
@testable import PlateIO

final class LibraryTests: XCTestCase {
    func testLinksOpenEXR31() {
        XCTAssertTrue(PlateIOLibrary.openEXRVersion.hasPrefix("3.1"), PlateIOLibrary.openEXRVersion)
    }
}
