import Foundation

/// A small deterministic generator (SplitMix64) so training is reproducible for a seed.
///
/// Each iteration derives its own generator from (seed, iteration, stream), so a resumed run
/// draws exactly the numbers an uninterrupted one would, with no generator state to save.
public struct SwapRandom: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one purpose (`stream`) at one training iteration.
    public init(seed: UInt64, iteration: Int, stream: UInt64) {
        var mixer = SwapRandom(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
        _ = mixer.next()
        let a = mixer.next() ^ UInt64(truncatingIfNeeded: iteration) &* 0xBF58_476D_1CE4_E5B9
        var second = SwapRandom(seed: a ^ (stream &* 0x94D0_49BB_1331_11EB))
        state = second.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * uniform() }

    /// Uniform integer in 0..<bound.
    public mutating func int(below bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }

    /// Standard normal (Box-Muller).
    public mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { cos(x) }
