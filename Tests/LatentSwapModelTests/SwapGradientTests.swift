import XCTest
@testable import LatentSwapModel

/// Analytic gradients of the whole swap model (backward) against central finite differences.
final class SwapGradientTests: XCTestCase {
    func checkWholeModel(_ archetype: SwapModelConfig.Archetype) {
        let config = SwapFixtures.config(archetype)
        let model = SwapAutoencoder(config: config, seed: 3)
        let size = config.latentSize
        let source = SwapFixtures.tensor(2, 4, size, size, seed: 11)
        let target = SwapFixtures.tensor(2, 4, size, size, seed: 12)
        let weights = SwapLoss.weights(mask: SwapFixtures.mask(2, size, size), backgroundWeight: 0.1)

        model.parameters.forEach { $0.zeroGrad() }
        let (_, gs, gt) = SwapFixtures.loss(model, source: source, target: target, weights: weights)
        model.backward(source: gs, target: gt)

        // Leaky ReLU kinks make single finite differences wrong now and then at this tiny size, so
        // most (not all) entries must agree closely, and the derivative along a random direction in
        // the whole parameter space must agree as well.
        var random = SwapRandom(seed: 99)
        let eps: Float = 1e-3
        var checked = 0, agreeing = 0
        for parameter in model.parameters {
            for _ in 0..<3 {
                let i = random.int(below: parameter.value.count)
                let original = parameter.value[i]
                parameter.value[i] = original + eps
                let plus = SwapFixtures.loss(model, source: source, target: target, weights: weights).0
                parameter.value[i] = original - eps
                let minus = SwapFixtures.loss(model, source: source, target: target, weights: weights).0
                parameter.value[i] = original
                let numeric = (plus - minus) / Double(2 * eps)
                let analytic = Double(parameter.grad[i])
                if abs(numeric - analytic) <= 0.05 * max(abs(numeric), abs(analytic)) + 2e-4 { agreeing += 1 }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 40)
        XCTAssertGreaterThanOrEqual(Double(agreeing), 0.9 * Double(checked), "\(archetype): \(agreeing)/\(checked) entries agree")

        let direction = model.parameters.map { p in p.value.indices.map { _ in random.normal() } }
        let analytic = zip(model.parameters, direction).reduce(0.0) { sum, pair in
            sum + zip(pair.0.grad, pair.1).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        func shifted(_ t: Float) -> Double {
            let saved = model.parameters.map(\.value)
            for (p, v) in zip(model.parameters, direction) { for i in p.value.indices { p.value[i] += t * v[i] } }
            let value = SwapFixtures.loss(model, source: source, target: target, weights: weights).0
            for (p, s) in zip(model.parameters, saved) { p.value = s }
            return value
        }
        let numeric = (shifted(1e-4) - shifted(-1e-4)) / 2e-4
        XCTAssertEqual(analytic, numeric, accuracy: 0.02 * abs(numeric), "\(archetype) directional derivative")
    }

    func testDFGradientsMatchFiniteDifferences() { checkWholeModel(.df) }
    func testLIAEGradientsMatchFiniteDifferences() { checkWholeModel(.liae) }
}
