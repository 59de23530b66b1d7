import XCTest
import Neural
@testable import LatentSwapModel

/// Analytic gradients of the whole swap model (backward) against central finite differences.
final class SwapGradientTests: XCTestCase {
    /// `linear`: all slopes 1, so finite differences are exact up to rounding and every entry must
    /// agree; otherwise most entries and the directional derivative must.
    func checkWholeModel(_ archetype: SwapModelConfig.Archetype, linear: Bool) {
        let config = SwapFixtures.config(archetype, dims: .init(encoder: 3, decoder: 3, bottleneck: 6))
        let model = SwapAutoencoder(config: config, seed: 3)
        if linear { model.setActivationSlope(1) }
        let size = config.latentSize
        let source = SwapFixtures.tensor([2, 4, size, size], seed: 11)
        let target = SwapFixtures.tensor([2, 4, size, size], seed: 12)
        let weights = SwapLoss.weights(mask: SwapFixtures.mask(2, size, size), backgroundWeight: 0.1)

        model.parameters.forEach { $0.zeroGrad() }
        SwapFixtures.loss(model, source: source, target: target, weights: weights, backward: true)

        // Leaky ReLU kinks make single finite differences wrong now and then at this tiny size.
        var random = SeededRandom(seed: 99)
        let eps: Float = 1e-3
        var checked = 0, agreeing = 0
        for parameter in model.parameters {
            for _ in 0..<3 {
                let i = Int(random.next() % UInt64(parameter.value.count))
                let original = parameter.value.data[i]
                parameter.value.data[i] = original + eps
                let plus = SwapFixtures.loss(model, source: source, target: target, weights: weights)
                parameter.value.data[i] = original - eps
                let minus = SwapFixtures.loss(model, source: source, target: target, weights: weights)
                parameter.value.data[i] = original
                let numeric = (plus - minus) / Double(2 * eps)
                let analytic = Double(parameter.grad.data[i])
                if abs(numeric - analytic) <= 0.05 * max(abs(numeric), abs(analytic)) + 2e-4 { agreeing += 1 }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 40)
        XCTAssertGreaterThanOrEqual(Double(agreeing), (linear ? 1.0 : 0.75) * Double(checked), "\(archetype): \(agreeing)/\(checked) entries agree")

        let direction = model.parameters.map { p in p.value.data.indices.map { _ in random.nextNormal() } }
        let analytic = zip(model.parameters, direction).reduce(0.0) { sum, pair in
            sum + zip(pair.0.grad.data, pair.1).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        func shifted(_ t: Float) -> Double {
            let saved = model.parameters.map(\.value)
            for (p, v) in zip(model.parameters, direction) { for i in v.indices { p.value.data[i] += t * v[i] } }
            let value = SwapFixtures.loss(model, source: source, target: target, weights: weights)
            for (p, s) in zip(model.parameters, saved) { p.value = s }
            return value
        }
        let numeric = (shifted(1e-4) - shifted(-1e-4)) / 2e-4
        XCTAssertEqual(analytic, numeric, accuracy: (linear ? 0.01 : 0.1) * abs(numeric), "\(archetype) directional derivative")
    }

    func testDFWiringGradientsMatchExactly() { checkWholeModel(.df, linear: true) }
    func testLIAEWiringGradientsMatchExactly() { checkWholeModel(.liae, linear: true) }
    func testDFGradientsMatchFiniteDifferences() { checkWholeModel(.df, linear: false) }
    func testLIAEGradientsMatchFiniteDifferences() { checkWholeModel(.liae, linear: false) }
}
