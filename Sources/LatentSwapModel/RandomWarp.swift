import Foundation
import Neural

/// DeepFaceLab's random warp, on the latent grid: the model's *input* is a non-rigidly warped copy
/// of the face while its target stays the unwarped face, so encoder and decoder must learn the
/// face rather than copy their input. As DFL's `gen_warp_params`: a grid of control points, one
/// cell of w/2, w/4 or w/8, interior points moved by a normal of 0.24 cells, the displacement
/// interpolated smoothly (bilinear here, bicubic in DFL) over the image. Only the input is
/// resampled, so the targets keep every latent exactly as the codec made it.
public struct RandomWarp: Equatable, Sendable {
    /// Standard deviation of the control points' displacement, in cells (DFL: 0.24).
    public var strength: Float = 0.24

    public init() {}

    /// Warps every channel of `latent` [C, h, w] with one random field drawn from `random`.
    public func apply(_ latent: Tensor, random: inout SeededRandom) -> Tensor {
        let h = latent.shape[1], w = latent.shape[2]
        let field = displacement(width: w, height: h, random: &random)
        return RandomWarp.sample(latent, dx: field.dx, dy: field.dy)
    }

    /// A smooth displacement field (in latent pixels) from a random control grid.
    func displacement(width w: Int, height h: Int, random: inout SeededRandom) -> (dx: [Float], dy: [Float]) {
        let side = max(w, h)
        let cell = Float(max(1, side >> (1 + Int(random.next() % 3))))
        let count = Int((Float(side) / cell).rounded()) + 1
        var gx = [Float](repeating: 0, count: count * count), gy = gx
        // Edge points stay put, as in DFL, so the face's outline is anchored.
        for j in 1..<max(1, count - 1) {
            for i in 1..<max(1, count - 1) {
                gx[j * count + i] = random.nextNormal() * strength * cell
                gy[j * count + i] = random.nextNormal() * strength * cell
            }
        }
        var dx = [Float](repeating: 0, count: w * h), dy = dx
        for y in 0..<h {
            let v = Float(y) / Float(max(1, h - 1)) * Float(count - 1)
            let j0 = min(Int(v), count - 2 < 0 ? 0 : count - 2), fy = v - Float(j0), j1 = min(j0 + 1, count - 1)
            for x in 0..<w {
                let u = Float(x) / Float(max(1, w - 1)) * Float(count - 1)
                let i0 = min(Int(u), count - 2 < 0 ? 0 : count - 2), fx = u - Float(i0), i1 = min(i0 + 1, count - 1)
                func lerp(_ g: [Float]) -> Float {
                    let top = g[j0 * count + i0] * (1 - fx) + g[j0 * count + i1] * fx
                    let bottom = g[j1 * count + i0] * (1 - fx) + g[j1 * count + i1] * fx
                    return top * (1 - fy) + bottom * fy
                }
                dx[y * w + x] = lerp(gx)
                dy[y * w + x] = lerp(gy)
            }
        }
        return (dx, dy)
    }

    /// Output pixel p reads the input at p + d(p), bilinear, edges clamped.
    static func sample(_ x: Tensor, dx: [Float], dy: [Float]) -> Tensor {
        let w = x.shape[2]
        return TrainAugmentation.resample(x) { xx, y in (Float(xx) + dx[y * w + xx], Float(y) + dy[y * w + xx]) }
    }
}
