import Neural
import XCTest
@testable import LatentSwapModel

final class LatentCheckerboardTests: XCTestCase {
    /// [1, 4, 16, 16] latent of smooth ramps and waves (a different one per channel).
    func smoothLatent() -> Tensor {
        let (c, h, w) = (4, 16, 16)
        var data = [Float](repeating: 0, count: c * h * w)
        for k in 0..<c { for y in 0..<h { for x in 0..<w {
            data[(k * h + y) * w + x] = Float(sin(0.3 * Double(x) + Double(k)) * cos(0.2 * Double(y)) + 0.05 * Double(x + y))
        } } }
        return Tensor(shape: [1, c, h, w], data: data)
    }

    func withCheckerboard(_ t: Tensor, eps: Float) -> Tensor {
        let (_, _, h, w) = t.nchw("test")
        var out = t
        for i in 0..<out.count { out.data[i] += (((i % w) + (i / w) % h) % 2 == 0 ? eps : -eps) }
        return out
    }

    func testSmoothLatentHasNearZeroEnergy() {
        XCTAssertLessThan(LatentCheckerboard.energy(smoothLatent()), 1e-4)
        XCTAssertEqual(LatentCheckerboard.energy(Tensor(shape: [1, 2, 8, 8], repeating: 3)), 0)
    }

    func testCheckerboardRaisesEnergy() {
        let smooth = smoothLatent()
        // A pure +-eps checkerboard has energy eps^2 exactly: every 2x2 average of it is +-eps.
        XCTAssertEqual(LatentCheckerboard.energy(withCheckerboard(Tensor.zeros([1, 4, 16, 16]), eps: 0.1)), 0.01, accuracy: 1e-7)
        let ratio = LatentCheckerboard.ratio(output: withCheckerboard(smooth, eps: 0.05), reference: smooth)
        XCTAssertGreaterThan(ratio, 10)
    }

    func testRandomLatentAgainstItselfIsOne() {
        var state: UInt64 = 12345
        let data = (0..<(2 * 16 * 12 * 12)).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 4 - 2
        }
        let latent = Tensor(shape: [2, 16, 12, 12], data: data)
        XCTAssertGreaterThan(LatentCheckerboard.energy(latent), 0.01)
        XCTAssertEqual(LatentCheckerboard.ratio(output: latent, reference: latent), 1)
    }
}
