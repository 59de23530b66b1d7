import Neural

/// One face's latents as the model sees them: latent [C, h, w], its face mask [1, h, w] and the
/// eyes-and-mouth coverage [1, h, w] that the loss weighs up (nil when the face set has no landmarks).
public struct LatentSample: Sendable {
    public var latent: Tensor
    public var mask: Tensor
    public var priority: Tensor?
    public init(latent: Tensor, mask: Tensor, priority: Tensor? = nil) {
        shapeCheck(latent.rank == 3 && mask.shape == [1, latent.shape[1], latent.shape[2]],
                   "LatentSample: latent \(latent.shape) with mask \(mask.shape)")
        if let priority { shapeCheck(priority.shape == mask.shape, "LatentSample: priority \(priority.shape) with mask \(mask.shape)") }
        self.latent = latent
        self.mask = mask
        self.priority = priority
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
