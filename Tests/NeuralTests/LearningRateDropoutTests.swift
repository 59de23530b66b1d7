import XCTest
@testable import Neural

final class LearningRateDropoutTests: XCTestCase {
    let count = 20_000

    /// Weights and random gradients, stepped `steps` times by `make`'s optimiser; the weights after each step.
    func run(steps: Int, _ make: ([Parameter]) -> Adam) -> (trajectory: [[Float]], optimizer: Adam) {
        var rng = SeededRandom(seed: 11)
        let p = Parameter(rng.uniformTensor([count]))
        let opt = make([p])
        var trajectory: [[Float]] = []
        for _ in 0..<steps {
            p.grad = rng.uniformTensor([count])
            opt.step()
            trajectory.append(p.value.data)
        }
        return (trajectory, opt)
    }

    func dropout(_ opt: Adam, _ probability: Float?, seed: UInt64 = 7) -> Adam {
        opt.updateProbability = probability
        opt.dropoutSeed = seed
        return opt
    }

    func testAboutTheGivenFractionOfWeightsMovesWithFreshMasksEachStep() {
        var rng = SeededRandom(seed: 11)
        let before = rng.uniformTensor([count]).data
        let (trajectory, opt) = run(steps: 2) { dropout(AdaBelief(parameters: $0), 0.3) }
        let moved1 = (0..<count).map { trajectory[0][$0] != before[$0] }
        let moved2 = (0..<count).map { trajectory[1][$0] != trajectory[0][$0] }
        let fraction1 = Double(moved1.filter { $0 }.count) / Double(count)
        let fraction2 = Double(moved2.filter { $0 }.count) / Double(count)
        // Binomial standard deviation sqrt(0.21 / 20000) = 0.0032.
        XCTAssertEqual(fraction1, 0.3, accuracy: 0.015)
        XCTAssertEqual(fraction2, 0.3, accuracy: 0.015)
        // Independent masks: about 0.3 * 0.3 of the weights move at both steps.
        let both = Double(zip(moved1, moved2).filter { $0 && $1 }.count) / Double(count)
        XCTAssertEqual(both, 0.09, accuracy: 0.01)
        // The moments are updated for every weight, moved or not (as DeepFaceLab's optimisers do).
        let state = opt.state()
        XCTAssertTrue(state["m.0"]!.data.allSatisfy { $0 != 0 })
        XCTAssertTrue(state["v.0"]!.data.allSatisfy { $0 > 0 })
    }

    func testMasksAreDeterministicForASeed() {
        for make in [{ AdamW(parameters: $0) }, { AdaBelief(parameters: $0) }] as [([Parameter]) -> Adam] {
            let a = run(steps: 3) { dropout(make($0), 0.3) }.trajectory
            XCTAssertEqual(a, run(steps: 3) { dropout(make($0), 0.3) }.trajectory)
            XCTAssertNotEqual(a, run(steps: 3) { dropout(make($0), 0.3, seed: 8) }.trajectory)
        }
    }

    func testNoDropoutIsThePlainOptimiserBitForBit() {
        for make in [{ Adam(parameters: $0) }, { AdamW(parameters: $0) }, { AdaBelief(parameters: $0) }] as [([Parameter]) -> Adam] {
            let plain = run(steps: 4, make).trajectory
            // Probability 1 keeps every update (uniforms are below 1), whatever the seed.
            XCTAssertEqual(run(steps: 4) { dropout(make($0), 1, seed: 99) }.trajectory, plain)
            XCTAssertEqual(run(steps: 4) { dropout(make($0), nil, seed: 99) }.trajectory, plain)
        }
    }
}
