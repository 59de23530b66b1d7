import Imaging

/// Per-channel location and scale that a few specular or noisy pixels cannot move: the weighted
/// median, and the weighted median absolute deviation scaled to a normal standard deviation.
struct RobustStatistics: Equatable {
    var median: SIMD3<Double>
    var scale: SIMD3<Double>

    /// 1 / Phi^-1(3/4): makes the MAD of normal data equal its standard deviation.
    static let madToSigma = 1.482_602_218_505_602

    /// Statistics of `values` weighted by `weights` (same count, weights > 0, at least one value).
    init(_ values: [SIMD3<Double>], weights: [Double]) {
        precondition(values.count == weights.count && !values.isEmpty, "robust statistics need weighted values")
        var median = SIMD3<Double>.zero, scale = SIMD3<Double>.zero
        for c in 0..<3 {
            let channel = values.map { $0[c] }
            let m = Self.weightedMedian(channel, weights)
            median[c] = m
            scale[c] = Self.madToSigma * Self.weightedMedian(channel.map { abs($0 - m) }, weights)
        }
        (self.median, self.scale) = (median, scale)
    }

    /// The lower weighted median: the smallest value with at least half the total weight at or below it.
    static func weightedMedian(_ values: [Double], _ weights: [Double]) -> Double {
        let order = values.indices.sorted { values[$0] < values[$1] }
        let half = weights.reduce(0, +) / 2
        var cumulative = 0.0
        for i in order {
            cumulative += weights[i]
            if cumulative >= half { return values[i] }
        }
        return values[order.last!]
    }
}

/// Mask-weighted energy of the part of an image a 3x3 box blur removes (edge pixels clamped), summed
/// over R, G, B: the measure of detail and noise that colour transfer must not raise. Non-finite
/// values count as 0.
func highFrequencyEnergy(_ image: ImageBuffer, mask: [Float]) -> Double {
    let (w, h) = (image.width, image.height)
    var energy = 0.0
    for name in ["R", "G", "B"] {
        let plane = image[channel: name].map { $0.isFinite ? Double($0) : 0 }
        for y in 0..<h {
            for x in 0..<w where mask[y * w + x] > 0 {
                var sum = 0.0
                for dy in -1...1 {
                    let row = min(max(y + dy, 0), h - 1) * w
                    for dx in -1...1 { sum += plane[row + min(max(x + dx, 0), w - 1)] }
                }
                let residual = plane[y * w + x] - sum / 9
                energy += Double(mask[y * w + x]) * residual * residual
            }
        }
    }
    return energy
}
