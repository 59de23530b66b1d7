import Foundation
import Neural

/// The TAESD family of tiny autoencoders (TAESD, TAESDXL, TAESD3, TAEF1, TAEF2): 3x3 convs and
/// residual blocks, 8x down/upscale. The variant comes from the weights: latent channels from the
/// encoder's last conv (`14.weight`: 4 SD-1.x, 16 TAEF1/TAESD3, 32 TAEF2), width from the first,
/// and the mid-block GroupNorm branch from the presence of `*.pool.*` keys (TAEF2 only).
///
/// Input sRGB in [0,1] exactly as taesd.py takes it; latents are already UNet-scale (no factor).
public final class TinyCodec: LatentCodec {
    public let name: String
    private let lazyIdentity: LazyCodecIdentity
    public var identity: CodecIdentity { get throws { try lazyIdentity.value } }
    public let latentChannels: Int
    public let downscale = 8
    /// Channels inside the network (64 for every released model).
    public let width: Int
    public let hasGroupNormBranch: Bool
    let encoder: TinyCodecNetwork
    let decoder: TinyCodecNetwork

    /// Where the weights are: taesd.py-named encoder and decoder files, or one diffusers
    /// `AutoencoderTiny` file holding both (`encoder.layers.N`, `decoder.layers.N`).
    public enum Files: Sendable {
        case separate(encoder: URL, decoder: URL)
        case combined(URL)

        var all: [URL] {
            switch self {
            case let .separate(encoder, decoder): return [encoder, decoder]
            case let .combined(file): return [file]
            }
        }
    }

    public init(name: String, files: Files) throws {
        var weights = CodecWeights(source: files.all.map(\.path).joined(separator: " + "))
        switch files {
        case let .separate(encoderFile, decoderFile):
            try weights.add(contentsOf: encoderFile) { TinyCodecKeyMap.canonical($0, half: .encoder) }
            try weights.add(contentsOf: decoderFile) { TinyCodecKeyMap.canonical($0, half: .decoder) }
        case let .combined(file):
            try weights.add(contentsOf: file) { TinyCodecKeyMap.canonical($0, half: nil) }
        }
        guard let last = weights.shape("encoder.14.weight"), last.count == 4,
              let first = weights.shape("encoder.0.weight"), first.count == 4 else {
            throw CodecError.unrecognisedWeights(file: weights.source,
                reason: "no TAESD encoder layers 0 and 14 (expected taesd.py keys '0.weight', '14.weight' or diffusers 'encoder.layers.N')")
        }
        width = first[0]
        latentChannels = last[0]
        let encoderPool = weights.keys.contains { $0.hasPrefix("encoder.") && $0.contains(".pool.") }
        let decoderPool = weights.keys.contains { $0.hasPrefix("decoder.") && $0.contains(".pool.") }
        guard encoderPool == decoderPool else {
            throw CodecError.unrecognisedWeights(file: weights.source,
                reason: "the encoder \(encoderPool ? "has" : "lacks") the mid-block GroupNorm branch but the decoder \(decoderPool ? "has" : "lacks") it: mismatched halves")
        }
        hasGroupNormBranch = encoderPool
        self.name = name
        encoder = try TinyCodecNetwork.encoder(weights, width: width, latentChannels: latentChannels)
        decoder = try TinyCodecNetwork.decoder(weights, width: width, latentChannels: latentChannels)
        lazyIdentity = LazyCodecIdentity { try CodecIdentity(name: name, weightFiles: files.all) }
    }

    public func encode(_ images: Tensor) throws -> Tensor {
        try checkImages(images)
        return encoder.forward(images)
    }

    /// The raw decoder output: RGB around [0,1], not clamped.
    public func decode(_ latents: Tensor) throws -> Tensor {
        try checkLatents(latents)
        return decoder.forward(latents)
    }
}
