import Foundation

/// The latent swap autoencoder: encoder -> inter -> (vector quantizer) -> decoder, in the
/// `df` layout (one decoder per identity) or `liae` (one inter per identity).
///
/// Swap = encode a target (plate performer) face and decode it as the source (actor).
/// Not thread-safe: layers keep their inputs for backward. Use one instance per thread.
public final class SwapAutoencoder {
    public let config: SwapModelConfig
    let encoder: SwapSequential
    /// df: [shared]; liae: [source, target]
    let inters: [SwapSequential]
    /// df: [source, target]; liae: [shared]
    let decoders: [SwapSequential]
    public let quantizer: VectorQuantizer?

    /// Builds the network with weights drawn from `seed`.
    public init(config: SwapModelConfig, seed: UInt64) {
        self.config = config
        var random = SwapRandom(seed: seed)
        let dims = config.dims, latent = config.codec.channels
        encoder = SwapAutoencoder.makeEncoder(in: latent, dims: dims, extra: config.extraStages, random: &random)
        let code = config.vq.codeDim
        switch config.archetype {
        case .df:
            inters = [SwapAutoencoder.makeInter("inter", in: 4 * dims.encoder, dims: dims, code: code, random: &random)]
            decoders = ["decoder_source", "decoder_target"].map {
                SwapAutoencoder.makeDecoder($0, code: code, out: latent, dims: dims, extra: config.extraStages, random: &random)
            }
        case .liae:
            inters = ["inter_source", "inter_target"].map {
                SwapAutoencoder.makeInter($0, in: 4 * dims.encoder, dims: dims, code: code, random: &random)
            }
            decoders = [SwapAutoencoder.makeDecoder("decoder", code: code, out: latent, dims: dims,
                                                     extra: config.extraStages, random: &random)]
        }
        quantizer = config.vq.enabled
            ? VectorQuantizer(codebookSize: config.vq.codebookSize, codeDim: code, commitment: config.vq.commitment,
                              decay: config.vq.emaDecay)
            : nil
    }

    static func makeEncoder(in channels: Int, dims: SwapModelConfig.Dims, extra: Int, random: inout SwapRandom) -> SwapSequential {
        let e = dims.encoder
        var layers: [SwapLayer] = [SwapConv2d(name: "encoder.in", in: channels, out: e, random: &random), SwapLeakyReLU()]
        for i in 0..<extra {
            layers += [SwapConv2d(name: "encoder.pre\(i)", in: e, out: e, stride: 2, random: &random), SwapLeakyReLU()]
        }
        layers += [SwapConv2d(name: "encoder.down0", in: e, out: 2 * e, stride: 2, random: &random), SwapLeakyReLU(),
                   SwapConv2d(name: "encoder.down1", in: 2 * e, out: 4 * e, stride: 2, random: &random), SwapLeakyReLU()]
        return SwapSequential(layers)
    }

    static func makeInter(_ name: String, in channels: Int, dims: SwapModelConfig.Dims, code: Int,
                          random: inout SwapRandom) -> SwapSequential {
        SwapSequential([
            SwapConv2d(name: name + ".conv", in: channels, out: dims.bottleneck, random: &random), SwapLeakyReLU(),
            SwapConv2d(name: name + ".code", in: dims.bottleneck, out: code, kernel: 1, random: &random, gain: 0.5),
        ])
    }

    static func makeDecoder(_ name: String, code: Int, out: Int, dims: SwapModelConfig.Dims, extra: Int,
                            random: inout SwapRandom) -> SwapSequential {
        let d = dims.decoder
        var layers: [SwapLayer] = [SwapConv2d(name: name + ".in", in: code, out: 4 * d, random: &random), SwapLeakyReLU()]
        // Upscale: conv to 4x the channels, then pixel shuffle; a residual block refines each scale.
        func up(_ tag: String, _ from: Int, _ to: Int) {
            layers += [SwapConv2d(name: "\(name).\(tag).conv", in: from, out: 4 * to, random: &random), SwapLeakyReLU(),
                       SwapPixelShuffle(), SwapResidualBlock(name: "\(name).\(tag).res", channels: to, random: &random)]
        }
        up("up0", 4 * d, 2 * d)
        up("up1", 2 * d, d)
        for i in 0..<extra { up("post\(i)", d, d) }
        layers.append(SwapConv2d(name: name + ".out", in: d, out: out, random: &random, gain: 0.5))
        return SwapSequential(layers)
    }

    /// Every trainable parameter, in a fixed order.
    public var parameters: [SwapParameter] {
        encoder.parameters + inters.flatMap(\.parameters) + decoders.flatMap(\.parameters)
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Multiply-adds x 2 per sample for one identity's forward pass (encoder, inter, decoder).
    public var flopsPerSample: Double {
        let size = config.latentSize << config.extraStages
        let channels = config.codec.channels
        let enc = encoder.cost(c: channels, h: size, w: size)
        let inter = inters[0].cost(c: enc.c, h: enc.h, w: enc.w)
        let dec = decoders[0].cost(c: inter.c, h: inter.h, w: inter.w)
        return enc.flops + inter.flops + dec.flops
    }

    // MARK: training

    /// Reconstructs both identities for training; keeps what `backward` needs.
    /// `source` and `target` have the same batch size.
    public func forwardTraining(source: SwapTensor, target: SwapTensor, random: inout SwapRandom)
        -> (source: SwapTensor, target: SwapTensor)
    {
        let b = source.n
        let z = encoder.forward(SwapTensor.stack([source, target]))
        let codes: SwapTensor
        switch config.archetype {
        case .df: codes = inters[0].forward(z)
        case .liae: codes = SwapTensor.stack([inters[0].forward(z.samples(0..<b)), inters[1].forward(z.samples(b..<2 * b))])
        }
        let q = quantizer?.forward(codes, training: true, random: &random) ?? codes
        switch config.archetype {
        case .df:
            return (decoders[0].forward(q.samples(0..<b)), decoders[1].forward(q.samples(b..<2 * b)))
        case .liae:
            let out = decoders[0].forward(q)
            return (out.samples(0..<b), out.samples(b..<2 * b))
        }
    }

    /// Backpropagates dLoss/dReconstruction of both identities into the parameter gradients.
    public func backward(source dSource: SwapTensor, target dTarget: SwapTensor) {
        let b = dSource.n
        let dq: SwapTensor
        switch config.archetype {
        case .df: dq = SwapTensor.stack([decoders[0].backward(dSource), decoders[1].backward(dTarget)])
        case .liae: dq = decoders[0].backward(SwapTensor.stack([dSource, dTarget]))
        }
        let dCodes = quantizer?.backward(dq) ?? dq
        let dz: SwapTensor
        switch config.archetype {
        case .df: dz = inters[0].backward(dCodes)
        case .liae: dz = SwapTensor.stack([inters[0].backward(dCodes.samples(0..<b)), inters[1].backward(dCodes.samples(b..<2 * b))])
        }
        _ = encoder.backward(dz)
    }

    /// VQ commitment loss of the last training forward pass (0 without VQ).
    public var commitmentLoss: Float { quantizer?.lastCommitmentLoss ?? 0 }

    // MARK: inference

    public enum Identity: Int, Sendable { case source = 0, target = 1 }

    /// Encodes `latents` and decodes them as identity `to`: a reconstruction for a face of that
    /// identity, the swap for a target face decoded `as: .source`.
    public func decode(_ latents: SwapTensor, as to: Identity) -> SwapTensor {
        var unused = SwapRandom(seed: 0)
        let z = encoder.forward(latents)
        let codes: SwapTensor
        let decoder: SwapSequential
        switch config.archetype {
        case .df:
            codes = inters[0].forward(z)
            decoder = decoders[to.rawValue]
        case .liae:
            // The identity lives in the inter: the destination's inter reads the shared encoding.
            codes = inters[to.rawValue].forward(z)
            decoder = decoders[0]
        }
        let q = quantizer?.forward(codes, training: false, random: &unused) ?? codes
        return decoder.forward(q)
    }

    /// Target (plate performer) latents -> the same face as the source (actor).
    public func swap(_ latents: SwapTensor) -> SwapTensor { decode(latents, as: .source) }
}
