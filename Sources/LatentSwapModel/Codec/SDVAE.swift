import Foundation
import Neural
import Support

/// Stable Diffusion's AutoencoderKL, configured from a diffusers `config.json` and loading either
/// diffusers (`diffusion_pytorch_model.safetensors`) or original LDM key names
/// (`vae-ft-mse-840000-ema-pruned.safetensors`, or a whole SD checkpoint's `first_stage_model.*`).
///
/// `encode` takes sRGB [0,1], feeds the network `2x - 1` and returns UNet-scale latents
/// `(mean - shift_factor) * scaling_factor` (or a seeded sample instead of the mean); `decode`
/// undoes the scaling and returns `(out + 1) / 2`, not clamped.
public final class SDVAE: LatentCodec {
    public let name = "sdvae"
    private let lazyIdentity: LazyCodecIdentity
    public var identity: CodecIdentity { get throws { try lazyIdentity.value } }
    public let config: SDVAEConfig
    let encoder: SDVAEEncoder
    let decoder: SDVAEDecoder
    let quantConv: Conv2d?
    let postQuantConv: Conv2d?

    public var latentChannels: Int { config.latentChannels }
    public var downscale: Int { config.downscale }

    public convenience init(weights url: URL, config: SDVAEConfig) throws {
        var weights = CodecWeights(source: url.path)
        let levels = config.blockOutChannels.count
        try weights.add(contentsOf: url) { SDVAEKeyMap.canonical($0, levels: levels) }
        guard weights.contains("encoder.conv_in.weight") || weights.contains("decoder.conv_in.weight") else {
            throw CodecError.unrecognisedWeights(file: url.path,
                reason: "no AutoencoderKL keys (expected diffusers 'encoder.conv_in.weight' or LDM 'encoder.down.0.block.0...')")
        }
        try self.init(weights, config: config, identity: LazyCodecIdentity {
            try CodecIdentity(name: "sdvae", weightFiles: [url], architecture: String(describing: config))
        })
    }

    /// The architecture of `config` with random weights: for benchmarks and tests, never for images.
    public convenience init(randomWeightsFor config: SDVAEConfig, seed: UInt64) throws {
        try self.init(CodecWeights(randomSeed: seed), config: config,
                      identity: LazyCodecIdentity(CodecIdentity(name: "sdvae", sha256: SHA256.hex("random \(seed) \(config)"))))
    }

    init(_ weights: CodecWeights, config: SDVAEConfig, identity: LazyCodecIdentity) throws {
        lazyIdentity = identity
        self.config = config
        encoder = try SDVAEEncoder(weights, config)
        decoder = try SDVAEDecoder(weights, config)
        let c = config.latentChannels
        quantConv = config.useQuantConv ? try SDVAELayers.conv(weights, "quant_conv", 2 * c, 2 * c, kernel: 1) : nil
        postQuantConv = config.usePostQuantConv ? try SDVAELayers.conv(weights, "post_quant_conv", c, c, kernel: 1) : nil
    }

    /// Encoder moments of an image in [-1,1]: mean and log-variance (clamped to [-30, 20]),
    /// before any scaling factor.
    func moments(signed x: Tensor) -> (mean: Tensor, logvar: Tensor) {
        var m = encoder.forward(x)
        if let quantConv { m = quantConv.forward(m) }
        let (n, c2, h, w) = (m.shape[0], m.shape[1], m.shape[2], m.shape[3])
        let c = c2 / 2, plane = h * w
        var mean = [Float](repeating: 0, count: n * c * plane), logvar = mean
        for b in 0..<n {
            for i in 0..<(c * plane) {
                mean[b * c * plane + i] = m.data[b * c2 * plane + i]
                logvar[b * c * plane + i] = min(max(m.data[b * c2 * plane + c * plane + i], -30), 20)
            }
        }
        return (Tensor(shape: [n, c, h, w], data: mean), Tensor(shape: [n, c, h, w], data: logvar))
    }

    /// Decoder output in [-1,1] (not clamped) of raw (unscaled) latents.
    func decodeSigned(_ z: Tensor) -> Tensor {
        decoder.forward(postQuantConv?.forward(z) ?? z)
    }

    public func encode(_ images: Tensor) throws -> Tensor { try encode(images, sampleSeed: nil) }

    /// With `sampleSeed`, returns `mean + exp(logvar / 2) * noise` with Gaussian noise from that
    /// seed (the same seed gives the same latents) instead of the mean.
    public func encode(_ images: Tensor, sampleSeed: UInt64?) throws -> Tensor {
        try checkImages(images)
        let (mean, logvar) = moments(signed: images.map { 2 * $0 - 1 })
        var z = mean.data
        if let sampleSeed {
            var noise = SeededRandom(seed: sampleSeed)
            for i in z.indices { z[i] += Foundation.exp(0.5 * logvar.data[i]) * noise.nextNormal() }
        }
        let (shift, scale) = (config.shiftFactor, config.scalingFactor)
        return Tensor(shape: mean.shape, data: z.map { ($0 - shift) * scale })
    }

    public func decode(_ latents: Tensor) throws -> Tensor {
        try checkLatents(latents)
        let (shift, scale) = (config.shiftFactor, config.scalingFactor)
        let out = decodeSigned(latents.map { $0 / scale + shift })
        return out.map { ($0 + 1) / 2 }
    }
}
