import XCTest
@testable import Neural

final class AdaBeliefTests: XCTestCase {
    // f(w) = 0.5 * sum(a * (w - c)^2), gradient a * (w - c); the last weight starts near its
    // minimum with a steep curvature, so its gradients are small and change sign.
    let a: [Float] = [1, 3, 0.5, 10], c: [Float] = [0.2, 0.4, -0.1, 0], w0: [Float] = [1.5, -0.5, 0.25, 1e-3]

    /// Weights after each of 5 steps (lr 0.1, weight decay 0.05, eps 1e-16) printed by
    /// scripts/adabelief_reference.py with adabelief-pytorch 0.2.1 (rectify=False, amsgrad=False)
    /// and torch 2.15: weight_decouple=False, then True.
    static let package: [Bool: [[Float]]] = [
        false: [
            [1.38888884, -0.388888896, 0.138888896, -0.110111102],
            [1.27252567, -0.272845268, 0.0259756893, -0.028182812],
            [1.15138817, -0.152840853, -0.081052728, 0.0523245409],
            [1.02625, -0.0304964259, -0.169623405, 0.0831072032],
            [0.898259997, 0.0917404294, -0.229337037, 0.0723795518],
        ],
        true: [
            [1.38138902, -0.386388898, 0.137638897, -0.110116094],
            [1.25816524, -0.268430501, 0.0239262283, -0.0276371911],
            [1.13088799, -0.147134557, -0.0837880522, 0.052720204],
            [1.00043976, -0.0241541564, -0.173494995, 0.0827728212],
            [0.868108571, 0.0980495811, -0.234918833, 0.0714427903],
        ],
    ]

    /// Algorithm 2 of Zhuang et al. (2020) written out in Double for one weight.
    func reference(w0: Double, a: Double, c: Double, steps: Int, lr: Double, wd: Double, decoupled: Bool) -> [Double] {
        var (w, m, s, out) = (w0, 0.0, 0.0, [Double]())
        let eps = 1e-16
        for t in 1...steps {
            var g = a * (w - c)
            if decoupled { w *= 1 - lr * wd } else { g += wd * w }
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * (g - m) * (g - m) + eps
            let mh = m / (1 - pow(0.9, Double(t))), sh = s / (1 - pow(0.999, Double(t)))
            w -= lr * mh / (sh.squareRoot() + eps)
            out.append(w)
        }
        return out
    }

    func testFirstStepsMatchTheFormulaAndThePackage() {
        for decoupled in [false, true] {
            let p = Parameter(Tensor(shape: [4], data: w0))
            let opt = AdaBelief(parameters: [p], learningRate: 0.1, weightDecay: 0.05, decoupledWeightDecay: decoupled)
            var trajectory: [[Float]] = []
            for _ in 0..<5 {
                p.grad = Tensor(shape: [4], data: (0..<4).map { a[$0] * (p.value.data[$0] - c[$0]) })
                opt.step()
                trajectory.append(p.value.data)
            }
            for i in 0..<4 {
                let want = reference(w0: Double(w0[i]), a: Double(a[i]), c: Double(c[i]), steps: 5, lr: 0.1, wd: 0.05, decoupled: decoupled)
                for t in 0..<5 {
                    XCTAssertEqual(Double(trajectory[t][i]), want[t], accuracy: 2e-6, "decoupled \(decoupled), weight \(i), step \(t + 1)")
                    XCTAssertEqual(trajectory[t][i], Self.package[decoupled]![t][i], accuracy: 1e-6, "decoupled \(decoupled), weight \(i), step \(t + 1)")
                }
            }
        }
    }

    func testFirstStepIsLearningRateOverPointNineAndTheOptimiserMinimises() {
        // m1 = 0.1 g, s1 = 0.001 (0.9 g)^2: bias-corrected, the first step is lr / 0.9 whatever g's scale.
        let q = Parameter(Tensor(shape: [2], data: [0, 0]))
        q.grad = Tensor(shape: [2], data: [1e-3, -50])
        AdaBelief(parameters: [q], learningRate: 0.009).step()
        XCTAssertEqual(q.value.data[0], -0.01, accuracy: 1e-7)
        XCTAssertEqual(q.value.data[1], 0.01, accuracy: 1e-7)
        // The quadratic's minimum c is reached.
        let p = Parameter(Tensor(shape: [4], data: w0))
        let opt = AdaBelief(parameters: [p], learningRate: 0.02)
        for _ in 0..<500 {
            p.grad = Tensor(shape: [4], data: (0..<4).map { a[$0] * (p.value.data[$0] - c[$0]) })
            opt.step()
        }
        for i in 0..<4 { XCTAssertEqual(p.value.data[i], c[i], accuracy: 1e-4, "weight \(i)") }
    }
}
