import XCTest
@testable import Imaging

final class ImageBufferTests: XCTestCase {
    func testChannelsByName() {
        var image = ImageBuffer(width: 3, height: 2, channels: ["R", "G", "B"], fill: 0.5)
        image[channel: "swap.mask"] = [Float](repeating: 1, count: 6)
        XCTAssertEqual(image.channelNames, ["R", "G", "B", "swap.mask"])
        XCTAssertEqual(image.value(3, 2, 1), 1)
        XCTAssertEqual(image.selecting(["B", "R"]).channelNames, ["B", "R"])
        image.removeChannel("G")
        XCTAssertNil(image.channelIndex("G"))
    }
}
