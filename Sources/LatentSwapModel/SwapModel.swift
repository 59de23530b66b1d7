import Foundation
import Neural

/// A trained swap model, for inference: loads a model directory (`NAME.plateswap/`) and turns the
/// codec latents of the plate performer's aligned crops into the actor's.
///
/// The model only makes sense with the codec it was trained with: `checkCodec` refuses any other
/// weights. Inference changes no state, so one instance may be used from several threads.
public final class SwapModel: @unchecked Sendable {
    public let directory: URL
    public let config: SwapModelConfig
    /// The training state of the checkpoint that was loaded (iteration, loss history...).
    public let state: TrainState
    /// The folder the checkpoint was loaded from: `directory`, or one of its `backups/iteration-N`.
    public let checkpoint: URL
    let network: SwapAutoencoder

    /// Loads the checkpoint of `directory`. A damaged one is an error
    /// (`SwapModelError.damagedCheckpoint`) unless `allowBackup`: then the newest intact backup
    /// is used, with a warning, and `checkpoint` says which.
    public static func load(directory: URL, allowBackup: Bool = false) throws -> SwapModel {
        let loaded = try ModelDirectory(url: directory).loadCheckpoint(optimizer: nil, allowBackup: allowBackup)
        return SwapModel(directory: directory, network: loaded.model, state: loaded.state, checkpoint: loaded.folder)
    }

    /// Wraps a network in memory (e.g. the one a trainer holds).
    public init(directory: URL, network: SwapAutoencoder, state: TrainState, checkpoint: URL? = nil) {
        self.directory = directory
        self.network = network
        self.config = network.config
        self.state = state
        self.checkpoint = checkpoint ?? directory
    }

    /// Whether the checkpoint came from `backups/` rather than the directory itself.
    public var isBackup: Bool { checkpoint.standardizedFileURL != directory.standardizedFileURL }

    /// The codec family the model was trained with (`taef2`, `taesd`, `sdvae`: a `CodecKind` raw value).
    public var codecName: String { config.codec.id }
    /// SHA-256 identity of the codec weights it was trained with (`CodecIdentity.sha256`).
    public var codecSHA256: String { config.codec.sha256 }
    /// Aligned crop size S in pixels.
    public var cropSize: Int { config.resolution }
    /// Latent shape per face: C x S/8 x S/8.
    public var latentChannels: Int { config.codec.channels }
    public var latentSize: Int { config.latentSize }
    public var faceType: String { config.faceType }
    /// Names this model and checkpoint (for a shot's config hash and the `plateswap:model` attribute).
    public var identity: String {
        "\(directory.lastPathComponent)@\(state.iteration):\(state.weightsSHA256.prefix(16))+\(codecName)-\(codecSHA256.prefix(16))"
    }

    /// Throws unless `codec` is the codec (same weights) this model was trained with.
    public func checkCodec(_ codec: LatentCodec) throws {
        let identity = try codec.identity
        guard identity.name == codecName, identity.sha256 == codecSHA256, codec.latentChannels == latentChannels else {
            throw SwapModelError.codecMismatch(model: directory.path, trained: "\(codecName) (sha256 \(codecSHA256.prefix(16)))",
                                               given: "\(identity.name) (sha256 \(identity.sha256.prefix(16)))")
        }
    }

    /// Target (plate performer) latents [N, C, S/8, S/8] -> the same faces as the actor.
    public func swap(latents: Tensor) throws -> Tensor {
        try checkShape(latents)
        return network.swap(latents)
    }

    /// The same, with the actor decoder's mask head's prediction of where the swapped face is
    /// [N, 1, S/8, S/8] in [0, 1] (nil for a model without mask heads).
    public func swapWithMask(latents: Tensor) throws -> (latents: Tensor, mask: Tensor?) {
        try checkShape(latents)
        return network.decodeWithMask(latents, as: .source)
    }

    /// Reconstruction of faces of one identity (`.source` = actor, `.target` = plate performer).
    public func reconstruct(latents: Tensor, as identity: SwapAutoencoder.Identity) throws -> Tensor {
        try checkShape(latents)
        return network.decode(latents, as: identity)
    }

    /// Parameter count and forward FLOPs per sample (2 per multiply-add).
    public var parameterCount: Int { network.parameterCount }
    public var flopsPerSample: Double { network.flopsPerSample }

    private func checkShape(_ latents: Tensor) throws {
        let expected = [latentChannels, latentSize, latentSize]
        guard latents.rank == 4, latents.shape[0] > 0, Array(latents.shape.dropFirst()) == expected else {
            throw SwapModelError.shapeMismatch(what: "latents for \(directory.lastPathComponent)", expected: [-1] + expected,
                                               found: latents.shape)
        }
    }
}
