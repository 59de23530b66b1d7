import XCTest
@testable import Neural

/// Finite-difference gradient check: the loss is sum(f(inputs) * R) for a fixed random R,
/// accumulated in Float64; central differences with step `eps` on every input value and every
/// parameter value are compared with the tape's gradients.
func gradCheck(_ inputs: [Tensor], params: [Parameter] = [], eps: Float = 1e-2, tolerance: Double = 3e-3,
               file: StaticString = #filePath, line: UInt = #line, _ f: ([Var]) -> Var) {
    var rng = SeededRandom(seed: 99)
    func run(_ values: [Tensor]) -> (Tape, [Var], Var) {
        let tape = Tape()
        let vars = values.map { tape.variable($0) }
        return (tape, vars, f(vars))
    }
    let (tape, vars, out) = run(inputs)
    let r = rng.uniformTensor(out.shape, -1, 1)
    for p in params { p.zeroGrad() }
    tape.backward(out, seed: r)
    func loss(_ values: [Tensor]) -> Double {
        let y = run(values).2.value
        var s = 0.0
        for i in 0..<y.count { s += Double(y.data[i]) * Double(r.data[i]) }
        return s
    }
    func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
        let err = abs(Double(analytic) - numeric)
        XCTAssertLessThanOrEqual(err, tolerance * max(1, abs(numeric)), "\(what): analytic \(analytic) vs numeric \(numeric)", file: file, line: line)
    }
    for (k, v) in vars.enumerated() {
        let analytic = tape.gradient(of: v) ?? .zeros(inputs[k].shape)
        for i in 0..<inputs[k].count {
            var plus = inputs, minus = inputs
            plus[k].data[i] += eps
            minus[k].data[i] -= eps
            compare(analytic.data[i], (loss(plus) - loss(minus)) / Double(2 * eps), "input \(k)[\(i)] of shape \(inputs[k].shape)")
        }
    }
    for p in params {
        let analytic = p.grad
        for i in 0..<p.value.count {
            let saved = p.value.data[i]
            p.value.data[i] = saved + eps
            let lp = loss(inputs)
            p.value.data[i] = saved - eps
            let lm = loss(inputs)
            p.value.data[i] = saved
            compare(analytic.data[i], (lp - lm) / Double(2 * eps), "parameter '\(p.name)'[\(i)] of shape \(p.value.shape)")
        }
    }
}

/// Values whose magnitude is at least `gap`, so a finite difference never crosses a kink at 0.
func awayFromZero(_ t: Tensor, gap: Float = 0.1) -> Tensor { t.map { $0 >= 0 ? $0 + gap : $0 - gap } }
