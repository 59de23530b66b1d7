import XCTest
import Neural
@testable import LatentSwapModel

/// Analytic gradients of the whole swap model (backward) against central finite differences.
///
/// The leaky ReLUs make the loss piecewise smooth. At this tiny size a weight step of 1e-3
/// moves some of the ~3000 pre-activations across 0 in about half the entries, and a crossed kink
/// spoils that difference (this, not the backward, is what made the earlier loose check fail).
/// Two checks that do not need loose tolerances:
/// - frozen gates: every leaky ReLU multiplies by the factor (1 or slope) it chose at the
///   unperturbed point. That network equals the real one in the current linear region, so it has
///   the same gradient there, and has no kinks: every entry must match.
/// - the real network: entries whose +-eps evaluations see the same sign for every
///   pre-activation (no kink crossed) must match; the crossing ones are counted and skipped.
final class SwapGradientTests: XCTestCase {
    struct Fixture {
        let model: SwapAutoencoder
        let source: Tensor, target: Tensor, weights: Tensor
        func loss() -> Double { SwapFixtures.loss(model, source: source, target: target, weights: weights) }
    }

    func fixture(_ archetype: SwapModelConfig.Archetype, _ inter: SwapModelConfig.Inter) -> Fixture {
        let config = SwapFixtures.config(archetype, inter: inter, dims: .init(encoder: 3, decoder: 3, bottleneck: 6, mask: 2))
        let model = SwapAutoencoder(config: config, seed: 3)
        let size = config.latentSize
        let f = Fixture(model: model, source: SwapFixtures.tensor([2, 4, size, size], seed: 11),
                        target: SwapFixtures.tensor([2, 4, size, size], seed: 12),
                        weights: SwapLoss.weights(mask: SwapFixtures.mask(2, size, size), backgroundWeight: 0.1))
        model.parameters.forEach { $0.zeroGrad() }
        SwapFixtures.loss(model, source: f.source, target: f.target, weights: f.weights, backward: true)
        return f
    }

    /// Signs of every pre-activation during one evaluation.
    func signs(_ model: SwapAutoencoder, _ body: () -> Double) -> (loss: Double, signs: [Bool]) {
        var signs: [Bool] = []
        for a in model.activations { a.inputObserver = { x in signs += x.data.map { $0 > 0 } } }
        defer { for a in model.activations { a.inputObserver = nil } }
        let loss = body()
        return (loss, signs)
    }

    /// Fixes every activation's factors to those of the current point (each runs once per loss).
    func freezeGates(_ f: Fixture) {
        for a in f.model.activations {
            a.inputObserver = { [unowned a] x in a.frozenGates = x.map { $0 > 0 ? 1 : a.slope } }
        }
        _ = f.loss()
        for a in f.model.activations { a.inputObserver = nil }
        XCTAssertTrue(f.model.activations.allSatisfy { $0.frozenGates != nil })
    }

    /// Central differences of 3 random entries per parameter; returns (agreeing, checked, kinked, failures).
    func compareEntries(_ f: Fixture, eps: Float, skipKinks: Bool, relative: Double, absolute: Double)
        -> (checked: Int, kinked: Int, failures: [String])
    {
        var random = SeededRandom(seed: 99)
        var checked = 0, kinked = 0, failures: [String] = []
        for parameter in f.model.parameters {
            for _ in 0..<3 {
                let i = Int(random.next() % UInt64(parameter.value.count))
                let original = parameter.value.data[i]
                parameter.value.data[i] = original + eps
                let plus = signs(f.model, f.loss)
                parameter.value.data[i] = original - eps
                let minus = signs(f.model, f.loss)
                parameter.value.data[i] = original
                if skipKinks && plus.signs != minus.signs { kinked += 1; continue }
                let numeric = (plus.loss - minus.loss) / Double(2 * eps)
                let analytic = Double(parameter.grad.data[i])
                checked += 1
                if abs(numeric - analytic) > relative * max(abs(numeric), abs(analytic)) + absolute {
                    failures.append("\(parameter.name)[\(i)]: analytic \(analytic), numeric \(numeric)")
                }
            }
        }
        return (checked, kinked, failures)
    }

    /// Directional derivative along one random direction through every parameter at once.
    func directional(_ f: Fixture, t: Float) -> (analytic: Double, numeric: Double) {
        var random = SeededRandom(seed: 5)
        let direction = f.model.parameters.map { p in p.value.data.indices.map { _ in random.nextNormal() } }
        let analytic = zip(f.model.parameters, direction).reduce(0.0) { sum, pair in
            sum + zip(pair.0.grad.data, pair.1).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        func shifted(_ step: Float) -> Double {
            let saved = f.model.parameters.map(\.value)
            for (p, v) in zip(f.model.parameters, direction) { for i in v.indices { p.value.data[i] += step * v[i] } }
            defer { for (p, s) in zip(f.model.parameters, saved) { p.value = s } }
            return f.loss()
        }
        return (analytic, (shifted(t) - shifted(-t)) / Double(2 * t))
    }

    func checkFrozen(_ archetype: SwapModelConfig.Archetype, _ inter: SwapModelConfig.Inter) {
        let f = fixture(archetype, inter)
        freezeGates(f)
        // Frozen, the loss is quadratic in any single weight: a large step is exact but for rounding.
        let entries = compareEntries(f, eps: 1e-2, skipKinks: false, relative: 1e-3, absolute: 2e-6)
        XCTAssertGreaterThan(entries.checked, 40)
        XCTAssertEqual(entries.failures, [], "\(archetype)")
        // Along a direction through every layer the loss is a polynomial of higher degree, so the
        // step is small; the absolute term covers Float rounding of the loss (about 1e-7 of it)
        // divided by the step.
        let t: Float = 1e-3
        let d = directional(f, t: t)
        let rounding = 1e-7 * f.loss() / Double(t)
        XCTAssertEqual(d.analytic, d.numeric, accuracy: 1e-3 * abs(d.analytic) + rounding,
                       "\(archetype) directional derivative (loss \(f.loss()))")
    }

    func checkReal(_ archetype: SwapModelConfig.Archetype, _ inter: SwapModelConfig.Inter) {
        let f = fixture(archetype, inter)
        let entries = compareEntries(f, eps: 1e-3, skipKinks: true, relative: 1e-2, absolute: 2e-5)
        XCTAssertEqual(entries.failures, [], "\(archetype)")
        // Enough entries remain for the check to mean something, and the skipped ones really did
        // cross a kink (their sign patterns differ), which is what makes them unusable.
        XCTAssertGreaterThanOrEqual(entries.checked, 20, "\(archetype): \(entries.kinked) of \(entries.checked + entries.kinked) cross a kink")
    }

    func testDFGradientsMatchWithFrozenGates() { checkFrozen(.df, .dense) }
    func testLIAEGradientsMatchWithFrozenGates() { checkFrozen(.liae, .dense) }
    func testDFGradientsMatchAwayFromKinks() { checkReal(.df, .dense) }
    func testLIAEGradientsMatchAwayFromKinks() { checkReal(.liae, .dense) }
    func testConvInterDFGradientsMatchWithFrozenGates() { checkFrozen(.df, .conv) }
    func testConvInterLIAEGradientsMatchWithFrozenGates() { checkFrozen(.liae, .conv) }
    func testConvInterGradientsMatchAwayFromKinks() { checkReal(.df, .conv); checkReal(.liae, .conv) }
    func testDenseGridGradientsMatchWithFrozenGates() { checkFrozen(.df, .denseGrid); checkFrozen(.liae, .denseGrid) }
    func testDenseGridGradientsMatchAwayFromKinks() { checkReal(.df, .denseGrid); checkReal(.liae, .denseGrid) }
}
