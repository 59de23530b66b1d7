import Foundation

/// Builds the swapper a shot asks for.
public enum SwapperLoader {
    /// `identity`: no networks (see `IdentitySwapper`), crop size from `face.size` or 256.
    public static func load(_ config: ShotConfig, identity: Bool) throws -> FaceSwapper {
        if identity { return IdentitySwapper(cropSize: config.face.size ?? 256) }
        throw PipelineError.unsupported("loading trained swap models (\(config.model.path.path)) is not connected yet; use --identity-swap to check a shot without one")
    }
}
