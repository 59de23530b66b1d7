import XCTest
@testable import Imaging

/// The one aligned crop of extract, train and run: its filter rule and what it guarantees.
final class AlignedCropTests: XCTestCase {
    func testAreaOnlyWhenShrinkingByMoreThanOneAndAHalf() {
        let rotated = { (s: Double) in AffineTransform.rotation(0.4).concatenating(after: .scale(s, s)) }
        XCTAssertEqual(AlignedCrop.filter(frameToCrop: rotated(0.5)), .area)
        XCTAssertEqual(AlignedCrop.filter(frameToCrop: rotated(0.6)), .area)
        XCTAssertEqual(AlignedCrop.filter(frameToCrop: rotated(0.7)), .bilinear)
        XCTAssertEqual(AlignedCrop.filter(frameToCrop: rotated(1)), .bilinear)
        XCTAssertEqual(AlignedCrop.filter(frameToCrop: rotated(3)), .bilinear)
    }

    /// Through an identity map a display-referred frame in [0, 1] comes back unchanged.
    func testIdentityMapKeepsEveryPixel() throws {
        var frame = ImageBuffer(width: 40, height: 40, channels: ["R", "G", "B", "A"])
        for c in 0..<4 { frame.planes[c] = (0..<1600).map { Float(($0 * (c + 3)) % 97) / 96 } }
        let crop = try XCTUnwrap(AlignedCrop.make(frame: frame, frameToCrop: .identity, size: 40, encoding: NetworkEncoding(plate: .srgb)))
        XCTAssertEqual(crop, frame.selecting(["R", "G", "B"]))
    }

    /// A scene-linear specular of 20 on skin at 0.1, enlarged and rotated: no crop pixel darker than
    /// the skin (no ringing halo), none above 1. (NaN and Inf: CompositorTests.)
    func testHighlightsLeaveNoHalo() throws {
        var frame = ImageBuffer(width: 64, height: 64, channels: ["R", "G", "B"], fill: 0.1)
        for c in 0..<3 {
            for y in 30..<33 { for x in 30..<33 { frame.planes[c][y * 64 + x] = 20 } }
        }
        let frameToCrop = AffineTransform.translation(64, 64).concatenating(after: .rotation(0.3))
            .concatenating(after: .scale(2.5, 2.5)).concatenating(after: .translation(-32, -32))
        let encoding = NetworkEncoding(plate: .linearRec709)
        let crop = try XCTUnwrap(AlignedCrop.make(frame: frame, frameToCrop: frameToCrop, size: 128, encoding: encoding))
        let skin = encoding.encode(SIMD3(repeating: 0.1)).x
        for plane in crop.planes {
            XCTAssertTrue(plane.allSatisfy { $0 <= 1 })
            XCTAssertGreaterThanOrEqual(plane.min()!, skin - 1e-6, "no undershoot around the highlight")
            XCTAssertEqual(plane.max()!, 1, accuracy: 1e-6, "the highlight clamps to 1")
        }
    }
}
