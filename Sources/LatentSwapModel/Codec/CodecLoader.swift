import Foundation
import Neural

/// The codecs plateswap ships support for, as named on the command line and in shot.yaml.
public enum CodecKind: String, CaseIterable, Sendable {
    /// TAEF2: the FLUX.2 VAE's tiny codec, 32 latent channels (the default).
    case taef2
    /// The SD-1.x/2.x tiny codec, 4 latent channels (weights supplied by the user).
    case taesd
    /// Stable Diffusion's AutoencoderKL (weights supplied by the user).
    case sdvae
}

/// Finds a codec's files and loads it.
///
/// Without `weights`, files come from the model search path: `taesd/taef2_{encoder,decoder}.safetensors`,
/// `taesd/taesd_{encoder,decoder}.safetensors`, `sdvae/diffusion_pytorch_model.safetensors` or
/// `sdvae/vae-ft-mse-840000-ema-pruned.safetensors`. `weights` may name:
/// - a tiny codec's encoder file `*encoder*.safetensors` (the decoder is the same name with
///   `decoder`), a diffusers AutoencoderTiny file, or a folder holding either;
/// - an SD VAE file (diffusers or LDM names) or a folder holding `diffusion_pytorch_model.safetensors`.
/// The SD VAE config is `config`, else `config.json` beside the weights, else the SD-1.x config.
public enum CodecLoader {
    public static func load(_ kind: CodecKind, weights: URL? = nil, config: URL? = nil,
                            searchPath: ModelSearchPath = .standard()) throws -> LatentCodec {
        switch kind {
        case .taef2, .taesd:
            return try TinyCodec(name: kind.rawValue, files: tinyFiles(kind.rawValue, weights: weights, searchPath: searchPath))
        case .sdvae:
            let file = try sdvaeFile(weights: weights, searchPath: searchPath)
            let besideConfig = file.deletingLastPathComponent().appendingPathComponent("config.json")
            let configURL = config ?? (FileManager.default.fileExists(atPath: besideConfig.path) ? besideConfig : nil)
            let parsed = try configURL.map { try SDVAEConfig.load(from: $0) } ?? .stableDiffusion
            return try SDVAE(weights: file, config: parsed)
        }
    }

    static func tinyFiles(_ name: String, weights: URL?, searchPath: ModelSearchPath) throws -> TinyCodec.Files {
        guard let weights else {
            return .separate(encoder: try searchPath.locate("taesd/\(name)_encoder.safetensors"),
                             decoder: try searchPath.locate("taesd/\(name)_decoder.safetensors"))
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: weights.path, isDirectory: &isFolder) else {
            throw CodecError.badFile(file: weights.path, reason: "no such file or folder (--weights)")
        }
        if isFolder.boolValue {
            let diffusers = weights.appendingPathComponent("diffusion_pytorch_model.safetensors")
            if FileManager.default.fileExists(atPath: diffusers.path) { return .combined(diffusers) }
            let encoder = weights.appendingPathComponent("\(name)_encoder.safetensors")
            guard FileManager.default.fileExists(atPath: encoder.path) else {
                throw CodecError.badFile(file: weights.path,
                    reason: "folder holds neither diffusion_pytorch_model.safetensors nor \(name)_encoder.safetensors")
            }
            return try separate(encoder: encoder)
        }
        return weights.lastPathComponent.contains("encoder") ? try separate(encoder: weights) : .combined(weights)
    }

    /// An encoder file and the decoder beside it (`encoder` -> `decoder` in the file name).
    private static func separate(encoder: URL) throws -> TinyCodec.Files {
        let name = encoder.lastPathComponent
        guard let range = name.range(of: "encoder", options: .backwards) else {
            throw CodecError.badFile(file: encoder.path, reason: "expected an encoder file name containing 'encoder'")
        }
        let decoder = encoder.deletingLastPathComponent().appendingPathComponent(name.replacingCharacters(in: range, with: "decoder"))
        guard FileManager.default.fileExists(atPath: decoder.path) else {
            throw CodecError.badFile(file: decoder.path, reason: "decoder file not found beside the encoder \(encoder.path)")
        }
        return .separate(encoder: encoder, decoder: decoder)
    }

    static func sdvaeFile(weights: URL?, searchPath: ModelSearchPath) throws -> URL {
        guard let weights else {
            do { return try searchPath.locate("sdvae/diffusion_pytorch_model.safetensors") } catch {
                if let ldm = try? searchPath.locate("sdvae/vae-ft-mse-840000-ema-pruned.safetensors") { return ldm }
                throw error
            }
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: weights.path, isDirectory: &isFolder) else {
            throw CodecError.badFile(file: weights.path, reason: "no such file or folder (--weights)")
        }
        return isFolder.boolValue ? weights.appendingPathComponent("diffusion_pytorch_model.safetensors") : weights
    }
}
