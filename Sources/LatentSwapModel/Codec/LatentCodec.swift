import Neural

/// A latent codec: images in display sRGB [0,1] <-> diffusion-model latents.
///
/// Images are `N x 3 x H x W` with H and W multiples of `downscale`; latents are
/// `N x latentChannels x H/downscale x W/downscale`, at the scale the diffusion UNet uses (so the
/// tiny codecs and the SD VAE produce comparable magnitudes). `decode` returns the network's
/// output in the [0,1] convention without clamping: callers clamp for display.
public protocol LatentCodec: AnyObject {
    /// The codec family (`taef2`, `taesd`, `sdvae`).
    var name: String { get }
    /// Weights digest and architecture: the cache key of everything derived from this codec.
    /// Computed on first use (it hashes the weight files), hence throwing.
    var identity: CodecIdentity { get throws }
    var latentChannels: Int { get }
    /// Image pixels per latent, per axis (8 for every shipped codec).
    var downscale: Int { get }

    func encode(_ images: Tensor) throws -> Tensor
    func decode(_ latents: Tensor) throws -> Tensor
}

extension LatentCodec {
    /// `name-<16 hex digits>`: stable across runs, different for any other weights.
    public var id: String { get throws { try identity.id } }

    /// Throws unless `images` is `N x 3 x H x W` with H, W positive multiples of `downscale`.
    public func checkImages(_ images: Tensor) throws {
        let s = images.shape
        guard s.count == 4, s[0] > 0, s[1] == 3, s[2] > 0, s[3] > 0, s[2] % downscale == 0, s[3] % downscale == 0 else {
            throw CodecError.badInput(what: "\(name) encode input",
                                      expected: "N x 3 x H x W with H and W multiples of \(downscale)", found: s)
        }
    }

    /// Throws unless `latents` is `N x latentChannels x h x w`.
    public func checkLatents(_ latents: Tensor) throws {
        let s = latents.shape
        guard s.count == 4, s[0] > 0, s[1] == latentChannels, s[2] > 0, s[3] > 0 else {
            throw CodecError.badInput(what: "\(name) decode input", expected: "N x \(latentChannels) x h x w", found: s)
        }
    }
}
