import XCTest
@testable import Neural

final class LibraryTests: XCTestCase {
    func testLinksOpenBLAS() {
        XCTAssertTrue(NeuralLibrary.blasConfig.contains("OpenBLAS"), NeuralLibrary.blasConfig)
    }
}
