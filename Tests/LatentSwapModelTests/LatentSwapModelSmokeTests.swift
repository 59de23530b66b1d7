import XCTest
@testable import LatentSwapModel

final class LatentSwapModelSmokeTests: XCTestCase {
    func testModuleLoads() {
        XCTAssertEqual(String(describing: LatentSwapModelLibrary.self), "LatentSwapModelLibrary")
    }
}
