import Foundation
import Neural

/// Random small warps of latents (and their masks) at batch time, on top of the flips and
/// warps cached before encoding: a little rotation, scale and shift, bilinear, edges clamped.
public struct TrainAugmentation: Equatable, Sendable {
    public var maxRotationDegrees: Float = 3
    public var maxScale: Float = 0.03
    /// In latent pixels.
    public var maxShift: Float = 0.75

    public init() {}

    /// No warp: samples are returned as they are (the random numbers are still drawn).
    public static let off: TrainAugmentation = {
        var none = TrainAugmentation()
        (none.maxRotationDegrees, none.maxScale, none.maxShift) = (0, 0, 0)
        return none
    }()

    /// Warps a latent and its mask with one random similarity transform.
    public func warp(_ sample: LatentSample, random: inout SeededRandom) -> LatentSample {
        let angle = random.uniform(-maxRotationDegrees, maxRotationDegrees) * .pi / 180
        let scale = 1 + random.uniform(-maxScale, maxScale)
        let shift = (random.uniform(-maxShift, maxShift), random.uniform(-maxShift, maxShift))
        // The identity (augmentation off) resamples every value onto itself: skip it.
        if angle == 0, scale == 1, shift == (0, 0) { return sample }
        return LatentSample(latent: TrainAugmentation.warp(sample.latent, angle: angle, scale: scale, shift: shift),
                            mask: TrainAugmentation.warp(sample.mask, angle: angle, scale: scale, shift: shift),
                            priority: sample.priority.map { TrainAugmentation.warp($0, angle: angle, scale: scale, shift: shift) })
    }

    /// Output pixel p samples the input at centre + R(-angle) (p - centre - shift) / scale.
    static func warp(_ x: Tensor, angle: Float, scale: Float, shift: (Float, Float)) -> Tensor {
        let h = x.shape[1], w = x.shape[2]
        let cx = Float(w - 1) / 2, cy = Float(h - 1) / 2
        let cosA = cos(angle) / scale, sinA = sin(angle) / scale
        return resample(x) { xx, y in
            let dx = Float(xx) - cx - shift.0, dy = Float(y) - cy - shift.1
            return (cx + cosA * dx + sinA * dy, cy - sinA * dx + cosA * dy)
        }
    }

    /// Every channel of `x` [C, h, w] resampled bilinearly: output pixel (x, y) reads the input at
    /// `source(x, y)`, clamped to the edges. Shared by the similarity warp and `RandomWarp`.
    static func resample(_ x: Tensor, source: (Int, Int) -> (Float, Float)) -> Tensor {
        let c = x.shape[0], h = x.shape[1], w = x.shape[2]
        var out = x
        x.data.withUnsafeBufferPointer { input in out.data.withUnsafeMutableBufferPointer { output in
            for y in 0..<h {
                for xx in 0..<w {
                    let (u, v) = source(xx, y)
                    let sx = min(max(u, 0), Float(w - 1)), sy = min(max(v, 0), Float(h - 1))
                    let x0 = Int(sx), y0 = Int(sy), x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
                    let fx = sx - Float(x0), fy = sy - Float(y0)
                    for ch in 0..<c {
                        let plane = ch * h * w
                        let top = input[plane + y0 * w + x0] * (1 - fx) + input[plane + y0 * w + x1] * fx
                        let bottom = input[plane + y1 * w + x0] * (1 - fx) + input[plane + y1 * w + x1] * fx
                        output[plane + y * w + xx] = top * (1 - fy) + bottom * fy
                    }
                }
            }
        } }
        return out
    }
}
