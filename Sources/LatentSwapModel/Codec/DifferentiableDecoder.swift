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
