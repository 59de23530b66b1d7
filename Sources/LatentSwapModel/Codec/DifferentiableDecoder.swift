import Neural

/// A codec decoder that can record itself on a tape, so a loss on decoded pixels can train the
/// swap model (the codec's own weights stay fixed: nothing steps them).
public protocol DifferentiableDecoder: AnyObject {
    /// Latents [N, C, h, w] -> images [N, 3, 8h, 8w], as `decode` computes them.
    func decode(_ latents: Var) -> Var
    /// The same without a tape (an unused tape would keep its activations alive).
    func decodeImages(_ latents: Tensor) -> Tensor
    /// Intermediate activations of the decoder (a cheap stand-in for its pixels in a loss).
    func features(_ latents: Var) -> Var
    func featureMaps(_ latents: Tensor) -> Tensor
}

extension DifferentiableDecoder {
    /// Decoders without a cheaper inside view use their pixels.
    public func features(_ latents: Var) -> Var { decode(latents) }
    public func featureMaps(_ latents: Tensor) -> Tensor { decodeImages(latents) }
}

extension TinyCodec: DifferentiableDecoder {
    public func decode(_ latents: Var) -> Var { decoder.forward(latents, gates: nil) }
    public func decodeImages(_ latents: Tensor) -> Tensor { decoder.forward(latents) }

    /// The decoder up to its second upsampling: 64 channels at twice the latent side, after the
    /// middle blocks and the first upscale level (about a tenth of the whole decoder's FLOPs).
    /// Differences there are differences the decoder turns into eyes, lashes and texture.
    public func features(_ latents: Var) -> Var { decoder.prefix(featureDepth).forward(latents, gates: nil) }
    public func featureMaps(_ latents: Tensor) -> Tensor { decoder.prefix(featureDepth).forward(latents) }

    /// Steps before the decoder's second `.upsample`.
    var featureDepth: Int {
        let ups = decoder.steps.indices.filter { if case .upsample = decoder.steps[$0] { return true } else { return false } }
        return ups.count > 1 ? ups[1] : decoder.steps.count
    }
}

extension TinyCodecNetwork {
    /// The first `count` steps as a network of their own.
    func prefix(_ count: Int) -> TinyCodecNetwork { TinyCodecNetwork(steps: Array(steps.prefix(count))) }
}

/// Test hook for gradient checks: records every ReLU's on/off pattern, then replays it as fixed
/// 0/1 factors, which keeps the network in one linear piece (no kinks for finite differences).
final class ReLUGates {
    var replaying = false
    private var masks: [Tensor] = []
    private var cursor = 0

    func apply(_ x: Var) -> Var {
        if replaying {
            defer { cursor = (cursor + 1) % masks.count }
            return mul(x, constant(masks[cursor], on: x.tape))
        }
        masks.append(x.value.map { $0 > 0 ? 1 : 0 })
        return relu(x)
    }
}

extension TinyCodecNetwork {
    func forward(_ input: Var, gates: ReLUGates?) -> Var {
        var x = input
        for step in steps {
            switch step {
            case let .conv(conv): x = conv.forward(x)
            case let .block(block): x = block.forward(x, gates: gates)
            case .relu: x = gates?.apply(x) ?? relu(x)
            case .upsample: x = upsampleNearest(x, scale: 2)
            case .softClamp: x = scale(tanh(scale(x, 1 / 3)), 3)
            }
        }
        return x
    }
}

extension TinyCodecBlock {
    func forward(_ input: Var, gates: ReLUGates?) -> Var {
        func activate(_ v: Var) -> Var { gates?.apply(v) ?? relu(v) }
        var x = input
        if let pool { x = add(pool.reduce.forward(activate(pool.norm.forward(pool.expand.forward(input)))), input) }
        let h = convs[2].forward(activate(convs[1].forward(activate(convs[0].forward(x)))))
        return activate(add(h, x))
    }
}
