import Neural

/// Checkerboard artefacts in latents: the energy at the highest spatial frequency, where a decoder
/// turns them into a visible pixel grid. A latent is modulated by (-1)^(x+y), which moves that
/// frequency to 0, averaged over every 2x2 neighbourhood (stride 1, inside the tensor) to keep only
/// what is near it, then squared and averaged. Smooth latents give about 0.
public enum LatentCheckerboard {
    /// Mean squared 2x2 average of the (-1)^(x+y)-modulated values of an [N, C, H, W] latent;
    /// 0 when H or W is below 2.
    public static func energy(_ latent: Tensor) -> Double {
        let (n, c, h, w) = latent.nchw("LatentCheckerboard.energy")
        guard h >= 2, w >= 2 else { return 0 }
        var total = 0.0
        latent.data.withUnsafeBufferPointer { data in
            for plane in 0..<(n * c) {
                let base = plane * h * w
                for y in 0..<(h - 1) {
                    for x in 0..<(w - 1) {
                        let top = base + y * w + x, bottom = top + w
                        // (-1)^(x+y) over the block is +- (+1 -1 / -1 +1); the sign goes when squared.
                        let v = (data[top] - data[top + 1] - data[bottom] + data[bottom + 1]) / 4
                        total += Double(v * v)
                    }
                }
            }
        }
        return total / Double(n * c * (h - 1) * (w - 1))
    }

    /// energy(output) / energy(reference): above 1 when a swap's latents carry more checkerboard
    /// than the reference's (e.g. the encoded plate). Shapes may differ; NaN when both energies are 0.
    public static func ratio(output: Tensor, reference: Tensor) -> Double {
        energy(output) / energy(reference)
    }
}
