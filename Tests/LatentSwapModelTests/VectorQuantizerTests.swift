import XCTest
import Neural
@testable import LatentSwapModel

final class VectorQuantizerTests: XCTestCase {
    /// Codebook of 3 codes in 2-D.
    func quantizer() -> VectorQuantizer {
        let vq = VectorQuantizer(codebookSize: 3, codeDim: 2, commitment: 0.25, decay: 0.9)
        vq.codebook = [0, 0, 10, 0, 0, 10]
        vq.emaCount = [1, 1, 1]
        vq.emaSum = vq.codebook
        return vq
    }

    func testNearestNeighbourAssignment() {
        let vq = quantizer()
        XCTAssertEqual(vq.assign([1, 1, 9, -2, -1, 7, 4.9, 0, 5.1, 0]), [0, 1, 2, 0, 1])
        // [N=1, D=2, H=1, W=2]: vectors (9, 1) and (1, 8), stored channel-major.
        let (q, indices) = vq.lookup(Tensor(shape: [1, 2, 1, 2], data: [9, 1, 1, 8]))
        XCTAssertEqual(q.data, [10, 0, 0, 10])
        XCTAssertEqual(indices, [1, 2])
    }

    /// A batch large enough for Neural's GEMM to split the distance product over threads still gets
    /// each vector's nearest code (checked against brute-force distances), and `vectors` lays a
    /// [N, D, H, W] grid out as rows of D.
    func testLargeBatchesAssignTheNearestCodeThroughNeuralsGemm() {
        var random = SeededRandom(seed: 17)
        let (m, k, d) = (2048, 1024, 64)
        let vq = VectorQuantizer(codebookSize: k, codeDim: d)
        vq.codebook = (0..<(k * d)).map { _ in random.uniform(-1, 1) }
        let rows = (0..<(m * d)).map { _ in random.uniform(-1, 1) }
        let assigned = vq.assign(rows)
        for r in 0..<m {
            func distance(_ j: Int) -> Float {
                var s: Float = 0
                for i in 0..<d { let e = rows[r * d + i] - vq.codebook[j * d + i]; s += e * e }
                return s
            }
            let best = (0..<k).map(distance).min()!
            XCTAssertLessThanOrEqual(distance(assigned[r]), best + 1e-3, "row \(r)")
        }
        let grid = Tensor(shape: [2, 3, 2, 2], data: (0..<24).map(Float.init))
        XCTAssertEqual(Array(VectorQuantizer.vectors(grid).prefix(6)), [0, 4, 8, 1, 5, 9])
        XCTAssertEqual(Array(VectorQuantizer.vectors(grid).suffix(3)), [15, 19, 23])
    }

    func testStraightThroughGradientAndCommitment() {
        let vq = quantizer()
        let tape = Tape()
        let x = tape.variable(Tensor(shape: [1, 2, 1, 2], data: [9, 1, 1, 8]))
        var random = SeededRandom(seed: 1)
        let (q, commitment) = vq.forward(x, random: &random)
        // loss = sum(q * probe) + commitment: the probe passes straight through to x, and the
        // commitment adds beta * 2 (x - q) / count.
        let probe = Tensor(shape: [1, 2, 1, 2], data: [1, -2, 3, 0.5])
        tape.backward(add(sum(mul(q, constant(probe, on: tape))), commitment))
        let expectedCommitment: Float = 0.25 * (1 + 1 + 1 + 4) / 4
        XCTAssertEqual(commitment.value.data[0], expectedCommitment, accuracy: 1e-6)
        let grad = tape.gradient(of: x)!.data
        let diffs: [Float] = [9 - 10, 1 - 0, 1 - 0, 8 - 10]
        for i in 0..<4 { XCTAssertEqual(grad[i], probe.data[i] + 0.25 * 2 * diffs[i] / 4, accuracy: 1e-6) }
    }

    func testEMAUpdateMovesCodesTowardsAssignedMeans() {
        let vq = quantizer()
        // Two vectors go to code 1 (mean (9, 1)); code 0 and 2 get nothing.
        vq.updateCodebook(rows: [8, 0, 10, 2], indices: [1, 1])
        XCTAssertEqual(vq.emaCount[1], 0.9 * 1 + 0.1 * 2, accuracy: 1e-6)
        XCTAssertEqual(vq.emaCount[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(vq.emaSum[2], 0.9 * 10 + 0.1 * 18, accuracy: 1e-5)
        XCTAssertEqual(vq.emaSum[3], 0.9 * 0 + 0.1 * 2, accuracy: 1e-6)
        // Code 1 = ema sum / (Laplace-smoothed) count: (10.8, 0.2) / 1.1 -> about (9.82, 0.18).
        XCTAssertEqual(vq.codebook[2], 10.8 / 1.1, accuracy: 1e-3)
        XCTAssertEqual(vq.codebook[3], 0.2 / 1.1, accuracy: 1e-3)
        // Unused codes keep their value (sum and count decay together).
        XCTAssertEqual(vq.codebook[4], 0, accuracy: 1e-4)
        XCTAssertEqual(vq.codebook[5], 10, accuracy: 1e-3)
    }

    func testDeadCodesRestartFromBatchAndPerplexity() {
        let vq = VectorQuantizer(codebookSize: 4, codeDim: 2)
        var random = SeededRandom(seed: 3)
        let rows: [Float] = [1, 2, 3, 4, 5, 6]
        // A new codebook is all dead: every code becomes one of the batch's vectors.
        XCTAssertEqual(vq.restartDeadCodes(rows: rows, random: &random), 4)
        for j in 0..<4 {
            let code = Array(vq.codebook[(2 * j)..<(2 * j + 2)])
            XCTAssertTrue([[1, 2], [3, 4], [5, 6]].contains(code), "code \(j) = \(code)")
        }
        XCTAssertEqual(vq.restartDeadCodes(rows: rows, random: &random), 0)
        // Restarted codes keep their value under EMA updates, and one that nothing picks is
        // restarted again once its usage (2 x threshold) has decayed below the threshold.
        let codes = vq.codebook
        for _ in 0..<68 { vq.updateCodebook(rows: [], indices: []) }
        for (a, b) in zip(vq.codebook, codes) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        XCTAssertEqual(vq.restartDeadCodes(rows: rows, random: &random), 0)
        vq.updateCodebook(rows: [], indices: [])
        XCTAssertEqual(vq.restartDeadCodes(rows: rows, random: &random), 4)
        XCTAssertEqual(VectorQuantizer.perplexity([0, 1, 2, 3], codebookSize: 4), 4, accuracy: 1e-5)
        XCTAssertEqual(VectorQuantizer.perplexity([2, 2, 2], codebookSize: 4), 1, accuracy: 1e-5)
    }
}
