import Foundation
import Neural
@testable import LatentSwapModel

/// Small models and data for the swap model tests.
enum SwapFixtures {
    static func config(_ archetype: SwapModelConfig.Archetype = .df, inter: SwapModelConfig.Inter = .dense, vq: Bool = false,
                       channels: Int = 4, resolution: Int = 64,
                       dims: SwapModelConfig.Dims = .init(encoder: 2, decoder: 2, bottleneck: 4, mask: 2),
                       codeDim: Int = 3, codebook: Int = 8) -> SwapModelConfig {
        SwapModelConfig(archetype: archetype, inter: inter, dims: dims,
                        vq: .init(enabled: vq, codebookSize: codebook, codeDim: codeDim),
                        codec: .init(id: "test", sha256: String(repeating: "0", count: 64), channels: channels),
                        resolution: resolution)
    }

    static func tensor(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var random = SeededRandom(seed: seed)
        return random.normalTensor(shape, std: std)
    }

    /// A disc mask in the middle, [n, 1, h, w].
    static func mask(_ n: Int, _ h: Int, _ w: Int) -> Tensor {
        var data: [Float] = []
        for _ in 0..<n {
            for y in 0..<h {
                for x in 0..<w {
                    let dy = (Float(y) + 0.5) / Float(h) - 0.5, dx = (Float(x) + 0.5) / Float(w) - 0.5
                    data.append((dx * dx + dy * dy) < 0.12 ? 1 : 0)
                }
            }
        }
        return Tensor(shape: [n, 1, h, w], data: data)
    }

    /// Total training loss on fixed batches; with `backward`, the parameters receive gradients.
    @discardableResult
    static func loss(_ model: SwapAutoencoder, source: Tensor, target: Tensor, weights: Tensor, backward: Bool = false) -> Double {
        var random = SeededRandom(seed: 7)
        let tape = Tape()
        let out = model.trainingForward(source: source, target: target, tape: tape, random: &random)
        var total = add(SwapLoss.maskedMSE(out.source, target: source, weights: weights),
                        SwapLoss.maskedMSE(out.target, target: target, weights: weights))
        if let c = out.commitment { total = add(total, c) }
        // The mask heads learn the loss weights' map here (any fixed target checks their gradients).
        var maskTotal = 0.0
        for case let predicted? in [out.sourceMask, out.targetMask] {
            total = add(total, mseLoss(predicted, constant(weights, on: tape)))
            maskTotal += zip(predicted.value.data, weights.data).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
                / Double(weights.count)
        }
        if backward { tape.backward(total) }
        // Summed in Double here: a Float total would drown finite differences in rounding.
        return weightedMSE(out.source.value, source, weights) + weightedMSE(out.target.value, target, weights)
            + Double(out.commitment?.value.data[0] ?? 0) + maskTotal
    }

    static func weightedMSE(_ p: Tensor, _ t: Tensor, _ w: Tensor) -> Double {
        let (n, c, h, wd) = p.nchw("weightedMSE")
        var total = 0.0, weightSum = 0.0
        for b in 0..<n {
            for i in 0..<(h * wd) {
                let weight = Double(w.data[b * h * wd + i])
                weightSum += weight * Double(c)
                for ch in 0..<c {
                    let d = Double(p.data[(b * c + ch) * h * wd + i]) - Double(t.data[(b * c + ch) * h * wd + i])
                    total += weight * d * d
                }
            }
        }
        return total / weightSum
    }
}
