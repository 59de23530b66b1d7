import Foundation
@testable import LatentSwapModel

/// Small models and data for the swap model tests.
enum SwapFixtures {
    static func config(_ archetype: SwapModelConfig.Archetype = .df, vq: Bool = false, channels: Int = 4,
                       resolution: Int = 64, dims: SwapModelConfig.Dims = .init(encoder: 2, decoder: 2, bottleneck: 4),
                       codeDim: Int = 3, codebook: Int = 8) -> SwapModelConfig {
        SwapModelConfig(archetype: archetype, dims: dims,
                        vq: .init(enabled: vq, codebookSize: codebook, codeDim: codeDim),
                        codec: .init(id: "test", sha256: String(repeating: "0", count: 64), channels: channels),
                        resolution: resolution)
    }

    static func tensor(_ n: Int, _ c: Int, _ h: Int, _ w: Int, seed: UInt64, scale: Float = 1) -> SwapTensor {
        var random = SwapRandom(seed: seed)
        return SwapTensor(n: n, c: c, h: h, w: w, data: (0..<(n * c * h * w)).map { _ in random.normal() * scale })
    }

    /// A soft disc mask in the middle, [n, 1, h, w].
    static func mask(_ n: Int, _ h: Int, _ w: Int) -> SwapTensor {
        var data: [Float] = []
        for _ in 0..<n {
            for y in 0..<h {
                for x in 0..<w {
                    let dy = (Float(y) + 0.5) / Float(h) - 0.5, dx = (Float(x) + 0.5) / Float(w) - 0.5
                    data.append((dx * dx + dy * dy) < 0.12 ? 1 : 0)
                }
            }
        }
        return SwapTensor(n: n, c: 1, h: h, w: w, data: data)
    }

    /// Total training loss of a model on fixed batches (forward only), in Double for finite differences.
    static func loss(_ model: SwapAutoencoder, source: SwapTensor, target: SwapTensor, weights: SwapTensor) -> (Double, SwapTensor, SwapTensor) {
        var random = SwapRandom(seed: 7)
        let out = model.forwardTraining(source: source, target: target, random: &random)
        let a = SwapLoss.maskedMSE(prediction: out.source, target: source, weights: weights)
        let b = SwapLoss.maskedMSE(prediction: out.target, target: target, weights: weights)
        return (Double(a.loss) + Double(b.loss) + Double(model.commitmentLoss), a.gradient, b.gradient)
    }
}
