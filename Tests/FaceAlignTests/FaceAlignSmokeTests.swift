import XCTest
@testable import FaceAlign

final class FaceAlignSmokeTests: XCTestCase {
    func testModuleLoads() {
        XCTAssertEqual(String(describing: FaceAlignLibrary.self), "FaceAlignLibrary")
    }
}
