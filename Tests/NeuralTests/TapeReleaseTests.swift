import XCTest
@testable import Neural

/// A tape must be freed once back-propagated and dropped: a training loop makes one per step,
/// and a leaked tape keeps every activation of its step (gigabytes per minute of training).
final class TapeReleaseTests: XCTestCase {
    func testTapeIsFreedAfterBackward() {
        weak var released: Tape?
        var rng = SeededRandom(seed: 1)
        let conv = Conv2d(weight: rng.uniformTensor([4, 3, 3, 3]), bias: rng.uniformTensor([4]), padding: 1)
        var gradient: Tensor?
        do {
            let tape = Tape()
            released = tape
            let x = tape.variable(rng.uniformTensor([1, 3, 8, 8]))
            let y = leakyReLU(conv.forward(x), slope: 0.1)
            tape.backward(sum(mul(y, y)))
            // Inputs keep their gradients after the pass.
            gradient = tape.gradient(of: x)
        }
        XCTAssertNil(released, "the tape outlived its step (a backward function holds it)")
        XCTAssertEqual(gradient?.shape, [1, 3, 8, 8])
        XCTAssertTrue(gradient?.data.contains { $0 != 0 } ?? false)
        XCTAssertTrue(conv.weight.grad.data.contains { $0 != 0 }, "parameters received their gradients")
    }
}
