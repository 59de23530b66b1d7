import Foundation

/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64), so weight init,
/// sampling and shuffles are reproducible across runs and platforms.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        @inline(__always) func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * nextUniform() }

    /// Standard normal (Box-Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300), u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    public mutating func uniformTensor(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
        Tensor(shape: shape, data: (0..<Tensor.elementCount(shape)).map { _ in uniform(lo, hi) })
    }

    public mutating func normalTensor(_ shape: [Int], std: Float = 1) -> Tensor {
        Tensor(shape: shape, data: (0..<Tensor.elementCount(shape)).map { _ in nextNormal() * std })
    }
}

/// Weight initialisation as PyTorch's `init` module: fan-in/fan-out from [out, in, kh, kw] or [out, in].
public enum Init {
    static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        shapeCheck(shape.count >= 2, "Init needs a weight of rank >= 2, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Kaiming (He) uniform: bound = gain * sqrt(3 / fan_in), gain sqrt(2) for ReLU.
    public static func kaimingUniform(_ shape: [Int], gain: Float = Float(2).squareRoot(), rng: inout SeededRandom) -> Tensor {
        let bound = gain * (3 / Float(fans(shape).fanIn)).squareRoot()
        return rng.uniformTensor(shape, -bound, bound)
    }

    /// Xavier (Glorot) uniform: bound = gain * sqrt(6 / (fan_in + fan_out)).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, rng: inout SeededRandom) -> Tensor {
        let f = fans(shape)
        let bound = gain * (6 / Float(f.fanIn + f.fanOut)).squareRoot()
        return rng.uniformTensor(shape, -bound, bound)
    }

    /// PyTorch's default bias init for a layer with this weight: uniform(+-1/sqrt(fan_in)).
    public static func bias(count: Int, weightShape: [Int], rng: inout SeededRandom) -> Tensor {
        let bound = 1 / Float(fans(weightShape).fanIn).squareRoot()
        return rng.uniformTensor([count], -bound, bound)
    }
}
