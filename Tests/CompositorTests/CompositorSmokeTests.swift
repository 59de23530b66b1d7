import XCTest
@testable import Compositor

final class CompositorSmokeTests: XCTestCase {
    func testModuleLoads() {
        XCTAssertEqual(String(describing: CompositorLibrary.self), "CompositorLibrary")
    }
}
