import Neural

/// One face's latents as the model sees them: latent [C, h, w] and its face mask [1, h, w].
public struct LatentSample: Sendable {
    public var latent: Tensor
    public var mask: Tensor
    public init(latent: Tensor, mask: Tensor) {
        shapeCheck(latent.rank == 3 && mask.shape == [1, latent.shape[1], latent.shape[2]],
                   "LatentSample: latent \(latent.shape) with mask \(mask.shape)")
        self.latent = latent
        self.mask = mask
    }
}

/// The training data of one identity: per face, its cached variants (plain, flipped, warped).
public struct LatentFaceSet: Sendable {
    public var name: String
    public var faces: [[LatentSample]]
    public init(name: String, faces: [[LatentSample]]) {
        self.name = name
        self.faces = faces.filter { !$0.isEmpty }
    }

    public var channels: Int { faces.first?.first?.latent.shape[0] ?? 0 }
    public var size: Int { faces.first?.first?.latent.shape[1] ?? 0 }
}
