import XCTest
@testable import Neural

final class AdamTests: XCTestCase {
    /// The optimisers the round-trip and training checks run on: AdamW, AdaBelief, and both with
    /// learning-rate dropout.
    static let optimizers: [(name: String, make: ([Parameter], Float) -> Adam)] = [
        ("AdamW", { AdamW(parameters: $0, learningRate: $1) }),
        ("AdaBelief", { AdaBelief(parameters: $0, learningRate: $1) }),
        ("AdamW lr_dropout", { let o = AdamW(parameters: $0, learningRate: $1); o.updateProbability = 0.5; o.dropoutSeed = 3; return o }),
        ("AdaBelief lr_dropout", { let o = AdaBelief(parameters: $0, learningRate: $1); o.updateProbability = 0.5; o.dropoutSeed = 3; return o }),
    ]

    /// torch.optim.Adam / AdamW written out in Double for one scalar.
    func reference(_ w0: Double, grads: [Double], lr: Double, wd: Double, decoupled: Bool) -> Double {
        var (w, m, v) = (w0, 0.0, 0.0)
        for (t, g0) in grads.enumerated() {
            var g = g0
            if decoupled { w -= lr * wd * w } else { g += wd * w }
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            let mh = m / (1 - pow(0.9, Double(t + 1))), vh = v / (1 - pow(0.999, Double(t + 1)))
            w -= lr * mh / (vh.squareRoot() + 1e-8)
        }
        return w
    }

    func testAdamAndAdamWMatchTheWrittenOutUpdate() {
        let grads: [Float] = [0.5, -0.2, 0.1, 0.3, -0.7]
        for decoupled in [false, true] {
            let p = Parameter(Tensor(shape: [1], data: [1.5]))
            let opt: Adam = decoupled ? AdamW(parameters: [p], learningRate: 0.1, weightDecay: 0.05)
                                      : Adam(parameters: [p], learningRate: 0.1, weightDecay: 0.05)
            for g in grads {
                p.grad.data[0] = g
                opt.step()
            }
            let want = reference(1.5, grads: grads.map(Double.init), lr: 0.1, wd: 0.05, decoupled: decoupled)
            XCTAssertEqual(Double(p.value.data[0]), want, accuracy: 1e-5, "decoupled \(decoupled)")
        }
        // Bias correction: the first step moves each weight by almost exactly lr, whatever the gradient's scale.
        let q = Parameter(Tensor(shape: [2], data: [0, 0]))
        q.grad = Tensor(shape: [2], data: [1e-3, -50])
        Adam(parameters: [q], learningRate: 0.01).step()
        XCTAssertEqual(q.value.data[0], -0.01, accuracy: 1e-6)
        XCTAssertEqual(q.value.data[1], 0.01, accuracy: 1e-6)
    }

    /// Large weights are updated on several threads: every element must come out exactly as a
    /// one-element parameter (updated serially) with the same gradients does.
    func testLargeParametersSplitOverThreadsUpdateLikeSmallOnes() {
        let count = 3 * Adam.parallelThreshold + 7
        var rng = SeededRandom(seed: 11)
        let start = rng.uniformTensor([count])
        let gradients = (0..<3).map { _ in rng.uniformTensor([count]) }
        let makers: [(String, ([Parameter]) -> Adam)] = [
            ("Adam", { Adam(parameters: $0, learningRate: 0.01, weightDecay: 0.1) }),
            ("AdamW", { AdamW(parameters: $0, learningRate: 0.01) }),
            ("AdaBelief", { AdaBelief(parameters: $0, learningRate: 0.01) }),
        ]
        for (name, make) in makers {
            let large = Parameter(start)
            let optimizer = make([large])
            for g in gradients {
                large.grad = g
                optimizer.step()
            }
            for j in [0, 1, Adam.parallelThreshold - 1, Adam.parallelThreshold, count / 2, count - 1] {
                let single = Parameter(Tensor(shape: [1], data: [start.data[j]]))
                let serial = make([single])
                for g in gradients {
                    single.grad = Tensor(shape: [1], data: [g.data[j]])
                    serial.step()
                }
                XCTAssertEqual(large.value.data[j], single.value.data[0], "\(name), element \(j)")
            }
            XCTAssertNotEqual(large.value, start, name)
        }
    }

    func testStateSaveAndLoadResumesIdentically() throws {
        var rng = SeededRandom(seed: 5)
        let start = rng.uniformTensor([3, 2])
        let gradients = (0..<6).map { _ in rng.uniformTensor([3, 2]) }
        for (name, make) in Self.optimizers {
            func run(resumeAt: Int?) throws -> Tensor {
                let p = Parameter(start)
                var opt = make([p], 0.05)
                for (i, g) in gradients.enumerated() {
                    if i == resumeAt {
                        let state = opt.state()
                        opt = make([p], 0.05)
                        try opt.load(state: state)
                    }
                    p.grad = g
                    opt.step()
                }
                return p.value
            }
            XCTAssertEqual(try run(resumeAt: 3), try run(resumeAt: nil), name)
        }
        let other = AdamW(parameters: [Parameter(.zeros([2]))])
        XCTAssertThrowsError(try other.load(state: AdamW(parameters: [Parameter(.zeros([3]))]).state()))
    }

    func testTrainingATinyConvNetIsDeterministicAndReducesTheLoss() {
        // Adam, AdaBelief and AdaBelief with learning-rate dropout (AdamW's decay changes little here).
        for (name, make) in [("Adam", { Adam(parameters: $0, learningRate: $1) }), Self.optimizers[1], Self.optimizers[3]] {
            trainTinyConvNet(name: name, make)
        }
    }

    func trainTinyConvNet(name: String, _ make: ([Parameter], Float) -> Adam) {
        func train(seed: UInt64) -> [Float] {
            var rng = SeededRandom(seed: seed)
            let c1 = Conv2d(weight: Init.kaimingUniform([8, 4, 3, 3], rng: &rng), bias: .zeros([8]), stride: 2, padding: 1)
            let c2 = Conv2d(weight: Init.xavierUniform([16, 8, 3, 3], rng: &rng), bias: .zeros([16]), padding: 1)
            let params = [c1.weight, c1.bias!, c2.weight, c2.bias!]
            let opt = make(params, 3e-3)
            let x = rng.uniformTensor([4, 4, 8, 8])
            var losses: [Float] = []
            for _ in 0..<40 {
                opt.zeroGrad()
                let tape = Tape()
                let input = tape.variable(x)
                let y = pixelShuffle(c2.forward(silu(c1.forward(input))), factor: 2)  // back to 4 x 8 x 8
                let loss = mseLoss(y, input)
                tape.backward(loss)
                opt.step()
                losses.append(loss.value.data[0])
            }
            return losses
        }
        let a = train(seed: 1)
        XCTAssertEqual(a, train(seed: 1), name)
        XCTAssertNotEqual(a, train(seed: 2), name)
        XCTAssertLessThan(a.last!, a.first! * 0.5, "\(name): \(a.first!) -> \(a.last!)")
    }

    func testSeededRandomIsReproducibleAndRoughlyUniform() {
        var a = SeededRandom(seed: 123), b = SeededRandom(seed: 123)
        let xs = (0..<10_000).map { _ in a.nextUniform() }
        XCTAssertEqual(xs, (0..<10_000).map { _ in b.nextUniform() })
        XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(Double(xs.reduce(0, +)) / 10_000, 0.5, accuracy: 0.02)
        let normals = (0..<10_000).map { _ in Double(a.nextNormal()) }
        let mean = normals.reduce(0, +) / 10_000
        XCTAssertEqual(mean, 0, accuracy: 0.05)
        XCTAssertEqual(normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 10_000, 1, accuracy: 0.05)
        let w = Init.kaimingUniform([16, 8, 3, 3], rng: &a)
        XCTAssertLessThanOrEqual(w.maxAbs, Float(6.0 / 72).squareRoot())
        XCTAssertGreaterThan(w.maxAbs, 0.9 * Float(6.0 / 72).squareRoot())
    }
}
