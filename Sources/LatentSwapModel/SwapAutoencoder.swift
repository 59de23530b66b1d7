import Foundation
import Neural

/// The latent swap autoencoder: encoder -> inter -> (vector quantizer) -> decoder, in the
/// `df` layout (one decoder per identity) or `liae` (one inter per identity).
///
/// Swap = encode a target (plate performer) face and decode it as the source (actor).
/// Inference (`Tensor`) changes nothing, so one instance may serve several threads; training
/// (`Var`) updates the codebook.
public final class SwapAutoencoder {
    public enum Identity: Int, Sendable { case source = 0, target = 1 }

    public let config: SwapModelConfig
    let encoder: SwapChain
    /// df: [shared]; liae: [source, target]
    let inters: [SwapChain]
    /// df: [source, target]; liae: [shared]
    let decoders: [SwapChain]
    public let quantizer: VectorQuantizer?

    /// Builds the network with weights drawn from `seed`.
    public init(config: SwapModelConfig, seed: UInt64) {
        self.config = config
        var random = SeededRandom(seed: seed)
        let dims = config.dims, latent = config.codec.channels, code = config.vq.codeDim, extra = config.extraStages
        encoder = SwapAutoencoder.encoder(in: latent, width: dims.encoder, extra: extra, random: &random)
        let interNames = config.archetype == .df ? ["inter"] : ["inter_source", "inter_target"]
        inters = interNames.map { SwapAutoencoder.inter($0, in: 4 * dims.encoder, dims: dims, code: code, random: &random) }
        let decoderNames = config.archetype == .df ? ["decoder_source", "decoder_target"] : ["decoder"]
        decoders = decoderNames.map {
            SwapAutoencoder.decoder($0, code: code, out: latent, width: dims.decoder, extra: extra, random: &random)
        }
        quantizer = config.vq.enabled
            ? VectorQuantizer(codebookSize: config.vq.codebookSize, codeDim: code, commitment: config.vq.commitment,
                              decay: config.vq.emaDecay)
            : nil
    }

    /// Strided convolutions: C -> e, then halve the size twice while the width grows to 4e.
    static func encoder(in channels: Int, width e: Int, extra: Int, random: inout SeededRandom) -> SwapChain {
        var stages: [SwapStage] = [SwapConv("encoder.in", in: channels, out: e, random: &random), SwapLeakyReLU()]
        for i in 0..<extra {
            stages += [SwapConv("encoder.pre\(i)", in: e, out: e, stride: 2, random: &random), SwapLeakyReLU()]
        }
        stages += [SwapConv("encoder.down0", in: e, out: 2 * e, stride: 2, random: &random), SwapLeakyReLU(),
                   SwapConv("encoder.down1", in: 2 * e, out: 4 * e, stride: 2, random: &random), SwapLeakyReLU()]
        return SwapChain(stages)
    }

    /// The bottleneck: a 3x3 conv to b channels, then a 1x1 projection to the code dimension D.
    static func inter(_ name: String, in channels: Int, dims: SwapModelConfig.Dims, code: Int,
                      random: inout SeededRandom) -> SwapChain {
        SwapChain([
            SwapConv(name + ".conv", in: channels, out: dims.bottleneck, random: &random), SwapLeakyReLU(),
            SwapConv(name + ".code", in: dims.bottleneck, out: code, kernel: 1, gain: 0.5, random: &random),
        ])
    }

    /// D -> 4d, then per scale: conv to 4x the channels + pixel shuffle + residual block; conv to C.
    static func decoder(_ name: String, code: Int, out: Int, width d: Int, extra: Int,
                        random: inout SeededRandom) -> SwapChain {
        var stages: [SwapStage] = [SwapConv(name + ".in", in: code, out: 4 * d, random: &random), SwapLeakyReLU()]
        func up(_ tag: String, _ from: Int, _ to: Int) {
            stages += [SwapConv("\(name).\(tag).conv", in: from, out: 4 * to, random: &random), SwapLeakyReLU(),
                       SwapPixelShuffle(), SwapResidualBlock("\(name).\(tag).res", channels: to, random: &random)]
        }
        up("up0", 4 * d, 2 * d)
        up("up1", 2 * d, d)
        for i in 0..<extra { up("post\(i)", d, d) }
        stages.append(SwapConv(name + ".out", in: d, out: out, gain: 0.5, random: &random))
        return SwapChain(stages)
    }

    /// Every trainable parameter, in a fixed order (names are the keys in weights.safetensors).
    public var parameters: [Parameter] { encoder.parameters + inters.flatMap(\.parameters) + decoders.flatMap(\.parameters) }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// FLOPs (2 per multiply-add) of one sample's forward pass through encoder, inter and decoder.
    public var flopsPerSample: Double {
        let size = config.latentSize << config.extraStages
        let e = encoder.cost(SwapShape(c: config.codec.channels, h: size, w: size))
        let i = inters[0].cost(e.out)
        return e.flops + i.flops + decoders[0].cost(i.out).flops
    }

    /// Every leaky ReLU, in forward order per part (tests make the network linear with slope 1 to
    /// check its wiring exactly, and watch the pre-activations for kinks).
    var activations: [SwapLeakyReLU] { ([encoder] + inters + decoders).flatMap(\.activations) }

    // MARK: training

    /// Records reconstructions of both identities on `tape` (source and target batches of equal
    /// size go through the shared parts together), plus the VQ commitment loss.
    public func trainingForward(source: Tensor, target: Tensor, tape: Tape, random: inout SeededRandom)
        -> (source: Var, target: Var, commitment: Var?)
    {
        let b = source.shape[0]
        shapeCheck(target.shape == source.shape, "trainingForward: source \(source.shape) vs target \(target.shape)")
        let z = encoder.forward(tape.variable(concat([source, target], axis: 0)))
        let codes: Var
        switch config.archetype {
        case .df: codes = inters[0].forward(z)
        case .liae:
            codes = concat([inters[0].forward(slice(z, axis: 0, 0..<b)), inters[1].forward(slice(z, axis: 0, b..<2 * b))], axis: 0)
        }
        var commitment: Var?
        var q = codes
        if let quantizer { (q, commitment) = quantizer.forward(codes, random: &random) }
        switch config.archetype {
        case .df:
            return (decoders[0].forward(slice(q, axis: 0, 0..<b)), decoders[1].forward(slice(q, axis: 0, b..<2 * b)), commitment)
        case .liae:
            let out = decoders[0].forward(q)
            return (slice(out, axis: 0, 0..<b), slice(out, axis: 0, b..<2 * b), commitment)
        }
    }

    // MARK: inference

    /// Encodes `latents` [N, C, S/8, S/8] and decodes them as identity `to`: a reconstruction for
    /// a face of that identity; the swap for a target face decoded as `.source`.
    public func decode(_ latents: Tensor, as to: Identity) -> Tensor {
        let z = encoder.forward(latents)
        let codes: Tensor, decoder: SwapChain
        switch config.archetype {
        case .df: (codes, decoder) = (inters[0].forward(z), decoders[to.rawValue])
        // The identity lives in the inter: the destination's inter reads the shared encoding.
        case .liae: (codes, decoder) = (inters[to.rawValue].forward(z), decoders[0])
        }
        return decoder.forward(quantizer?.quantize(codes) ?? codes)
    }

    /// Target (plate performer) latents -> the same face as the source (actor).
    public func swap(_ latents: Tensor) -> Tensor { decode(latents, as: .source) }
}
