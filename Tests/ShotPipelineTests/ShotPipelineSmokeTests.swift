import XCTest
@testable import ShotPipeline

final class ShotPipelineSmokeTests: XCTestCase {
    func testModuleLoads() {
        XCTAssertEqual(String(describing: PlateswapVersion.self), "PlateswapVersion")
    }
}
