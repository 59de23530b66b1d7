import Foundation
import Neural

/// The latent swap autoencoder: encoder -> inter -> (vector quantizer) -> decoder (+ mask head),
/// in the `df` layout (one decoder per identity) or `liae` (identity in the inter), with the dense
/// inter of DeepFaceLab or the older conv one (`SwapModelConfig.Inter`, layers in `SwapLayouts`).
///
/// Swap = encode a target (plate performer) face and decode it as the source (actor).
/// Inference (`Tensor`) changes nothing, so one instance may serve several threads; training
/// (`Var`) updates the codebook.
public final class SwapAutoencoder {
    public enum Identity: Int, Sendable { case source = 0, target = 1 }

    public let config: SwapModelConfig
    let encoder: SwapChain
    /// df: [inter]; liae dense: [inter_AB, inter_B]; liae conv: [inter_source, inter_target]
    let inters: [SwapChain]
    /// df: [source, target]; liae: [shared]
    let decoders: [SwapChain]
    /// The decoders' mask heads, in the same order (empty when `dims.mask` is 0).
    let maskDecoders: [SwapChain]
    public let quantizer: VectorQuantizer?

    /// Builds the network with weights drawn from `seed`.
    public init(config: SwapModelConfig, seed: UInt64) {
        self.config = config
        var random = SeededRandom(seed: seed)
        let dims = config.dims, latent = config.codec.channels, code = config.vq.codeDim
        let extra = config.extraStages, icnr = config.icnr
        let df = config.archetype == .df
        switch config.inter {
        case .dense, .denseGrid:
            encoder = SwapLayouts.denseEncoder(in: latent, width: dims.encoder, extra: extra, random: &random)
            inters = (df ? ["inter"] : ["inter_AB", "inter_B"]).map {
                SwapLayouts.denseInter($0, in: 4 * dims.encoder, side: config.denseSide, out: config.gridSize, ae: dims.bottleneck,
                                       code: code, upscale: config.inter == .dense, icnr: icnr, random: &random)
            }
        case .conv:
            encoder = SwapLayouts.convEncoder(in: latent, width: dims.encoder, extra: extra, random: &random)
            inters = (df ? ["inter"] : ["inter_source", "inter_target"]).map {
                SwapLayouts.convInter($0, in: 4 * dims.encoder, bottleneck: dims.bottleneck, code: code, random: &random)
            }
        }
        // Faithful LIAE decodes the concatenation [inter_B or inter_AB, inter_AB].
        let decoderInput = config.archetype == .liae && config.inter.isDense ? 2 * code : code
        let names = config.inter.isDense ? (df ? ["decoder_src", "decoder_dst"] : ["decoder"])
                                           : (df ? ["decoder_source", "decoder_target"] : ["decoder"])
        var faces: [SwapChain] = [], masks: [SwapChain] = []
        for name in names {
            switch config.inter {
            case .dense, .denseGrid:
                faces.append(SwapLayouts.denseDecoder(name, code: decoderInput, out: latent, width: dims.decoder, extra: extra,
                                                      icnr: icnr, random: &random))
            case .conv:
                faces.append(SwapLayouts.convDecoder(name, code: decoderInput, out: latent, width: dims.decoder, extra: extra,
                                                     icnr: icnr, random: &random))
            }
            if dims.mask > 0 {
                masks.append(SwapLayouts.maskDecoder(name, code: decoderInput, width: dims.mask, extra: extra, icnr: icnr, random: &random))
            }
        }
        (decoders, maskDecoders) = (faces, masks)
        if config.initialisation == .pytorch {
            for chain in [encoder] + inters + decoders + maskDecoders { SwapInitialisation.redrawAsPyTorch(chain, random: &random) }
        }
        quantizer = config.vq.enabled
            ? VectorQuantizer(codebookSize: config.vq.codebookSize, codeDim: code, commitment: config.vq.commitment,
                              decay: config.vq.emaDecay)
            : nil
    }

    /// Whether this is DeepFaceLab's LIAE (shared inter_AB plus the target's inter_B).
    var isDenseLIAE: Bool { config.archetype == .liae && config.inter.isDense }

    /// Every trainable parameter, in a fixed order (names are the keys in weights.safetensors).
    public var parameters: [Parameter] {
        ([encoder] + inters + decoders + maskDecoders).flatMap(\.parameters)
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// FLOPs (2 per multiply-add) of one sample's forward pass through encoder, inter(s) and one
    /// decoder with its mask head.
    public var flopsPerSample: Double {
        let size = config.latentSize << config.extraStages
        let e = encoder.cost(SwapShape(c: config.codec.channels, h: size, w: size))
        var code = inters[0].cost(e.out)
        var flops = e.flops + code.flops
        if isDenseLIAE { flops += code.flops; code.out.c *= 2 }
        flops += decoders[0].cost(code.out).flops
        if let mask = maskDecoders.first { flops += mask.cost(code.out).flops }
        return flops
    }

    /// Every leaky ReLU, in forward order per part (tests make the network linear with slope 1 to
    /// check its wiring exactly, and watch the pre-activations for kinks).
    var activations: [SwapLeakyReLU] { ([encoder] + inters + decoders + maskDecoders).flatMap(\.activations) }

    // MARK: training

    /// What one training forward pass records.
    public struct TrainingOutput {
        /// Reconstructed latents of the source and target batches.
        public var source: Var, target: Var
        /// Predicted face masks [N, 1, h, w] (nil without mask heads).
        public var sourceMask: Var?, targetMask: Var?
        /// The VQ commitment loss (nil without VQ).
        public var commitment: Var?
    }

    /// Records reconstructions of both identities on `tape` (source and target batches of equal
    /// size go through the shared parts together), their masks, and the VQ commitment loss.
    public func trainingForward(source: Tensor, target: Tensor, tape: Tape, random: inout SeededRandom) -> TrainingOutput {
        let b = source.shape[0]
        shapeCheck(target.shape == source.shape, "trainingForward: source \(source.shape) vs target \(target.shape)")
        let z = encoder.forward(tape.variable(concat([source, target], axis: 0)))
        var commitment: Var?
        func quantized(_ codes: Var) -> Var {
            guard let quantizer else { return codes }
            let (q, loss) = quantizer.forward(codes, random: &random)
            commitment = loss
            return q
        }
        let firstHalf = 0..<b, secondHalf = b..<2 * b
        switch (config.archetype, config.inter) {
        case (.df, _):
            let q = quantized(inters[0].forward(z))
            let (s, t) = (slice(q, axis: 0, firstHalf), slice(q, axis: 0, secondHalf))
            return TrainingOutput(source: decoders[0].forward(s), target: decoders[1].forward(t),
                                  sourceMask: maskDecoders.first?.forward(s), targetMask: maskDecoders.last?.forward(t),
                                  commitment: commitment)
        case (.liae, .conv):
            let codes = concat([inters[0].forward(slice(z, axis: 0, firstHalf)), inters[1].forward(slice(z, axis: 0, secondHalf))], axis: 0)
            return shared(quantized(codes), b, commitment)
        case (.liae, .dense), (.liae, .denseGrid):
            // One quantizer pass over every code of the step: [AB(all faces); B(target faces)].
            let ab = inters[0].forward(z), bOnly = inters[1].forward(slice(z, axis: 0, secondHalf))
            let q = quantized(concat([ab, bOnly], axis: 0))
            let (abSource, abTarget, bTarget) = (slice(q, axis: 0, firstHalf), slice(q, axis: 0, secondHalf), slice(q, axis: 0, 2 * b..<3 * b))
            let codes = concat([concat([abSource, abSource], axis: 1), concat([bTarget, abTarget], axis: 1)], axis: 0)
            return shared(codes, b, commitment)
        }
    }

    /// The shared decoder (liae) over [source codes; target codes].
    private func shared(_ codes: Var, _ b: Int, _ commitment: Var?) -> TrainingOutput {
        let out = decoders[0].forward(codes), mask = maskDecoders.first?.forward(codes)
        return TrainingOutput(source: slice(out, axis: 0, 0..<b), target: slice(out, axis: 0, b..<2 * b),
                              sourceMask: mask.map { slice($0, axis: 0, 0..<b) }, targetMask: mask.map { slice($0, axis: 0, b..<2 * b) },
                              commitment: commitment)
    }

    // MARK: inference

    /// The code that decodes `latents` as identity `to`, and the decoder index to use.
    private func code(_ latents: Tensor, as to: Identity) -> (code: Tensor, decoder: Int) {
        let z = encoder.forward(latents)
        func q(_ x: Tensor) -> Tensor { quantizer?.quantize(x) ?? x }
        switch (config.archetype, config.inter) {
        case (.df, _): return (q(inters[0].forward(z)), to.rawValue)
        // The identity lives in the inter: the destination's inter reads the shared encoding.
        case (.liae, .conv): return (q(inters[to.rawValue].forward(z)), 0)
        case (.liae, .dense), (.liae, .denseGrid):
            let ab = q(inters[0].forward(z))
            return (concat([to == .source ? ab : q(inters[1].forward(z)), ab], axis: 1), 0)
        }
    }

    /// Encodes `latents` [N, C, S/8, S/8] and decodes them as identity `to`: a reconstruction for
    /// a face of that identity; the swap for a target face decoded as `.source`.
    public func decode(_ latents: Tensor, as to: Identity) -> Tensor {
        let (code, decoder) = code(latents, as: to)
        return decoders[decoder].forward(code)
    }

    /// The latents and the predicted face mask [N, 1, S/8, S/8] (nil without mask heads).
    public func decodeWithMask(_ latents: Tensor, as to: Identity) -> (latents: Tensor, mask: Tensor?) {
        let (code, decoder) = code(latents, as: to)
        return (decoders[decoder].forward(code), maskDecoders.isEmpty ? nil : maskDecoders[decoder].forward(code))
    }

    /// Target (plate performer) latents -> the same face as the source (actor).
    public func swap(_ latents: Tensor) -> Tensor { decode(latents, as: .source) }
}
