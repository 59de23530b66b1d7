import XCTest
import Neural
@testable import LatentSwapModel

/// The random latent warps applied to every batch.
final class TrainAugmentationTests: XCTestCase {
    func testZeroWarpIsExactAndAShiftMovesContent() {
        let x = SwapFixtures.tensor([2, 6, 6], seed: 4)
        XCTAssertEqual(TrainAugmentation.warp(x, angle: 0, scale: 1, shift: (0, 0)), x)
        // Shift right by one latent pixel: output (x, y) reads input (x - 1, y); column 0 repeats the edge.
        let shifted = TrainAugmentation.warp(x, angle: 0, scale: 1, shift: (1, 0))
        for c in 0..<2 {
            for y in 0..<6 {
                for xx in 1..<6 { XCTAssertEqual(shifted.data[(c * 6 + y) * 6 + xx], x.data[(c * 6 + y) * 6 + xx - 1], accuracy: 1e-6) }
                XCTAssertEqual(shifted.data[(c * 6 + y) * 6], x.data[(c * 6 + y) * 6], accuracy: 1e-6)
            }
        }
    }

    func testLatentAndMaskShareOneRandomWarp() {
        // A latent whose first channel equals the mask must stay equal to it after the warp.
        let mask = SwapFixtures.mask(1, 8, 8).reshaped([1, 8, 8])
        let latent = Tensor(shape: [2, 8, 8], data: mask.data + SwapFixtures.tensor([1, 8, 8], seed: 2).data)
        var random = SeededRandom(seed: 9)
        let warped = TrainAugmentation().warp(LatentSample(latent: latent, mask: mask), random: &random)
        XCTAssertEqual(Array(warped.latent.data[0..<64]), warped.mask.data)
        XCTAssertNotEqual(warped.mask, mask)
        var again = SeededRandom(seed: 9)
        XCTAssertEqual(TrainAugmentation().warp(LatentSample(latent: latent, mask: mask), random: &again).latent, warped.latent)
    }
}
