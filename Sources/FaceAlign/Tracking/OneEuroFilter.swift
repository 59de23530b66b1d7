import Foundation

/// One-Euro filter parameters (Casiez et al. 2012): cutoff (Hz) = minCutoff + beta * |speed|,
/// speed in units per second, itself low-passed at `derivativeCutoff`.
public struct OneEuroParameters: Codable, Equatable, Sendable {
    public var minCutoff: Double
    public var beta: Double
    public var derivativeCutoff: Double

    public init(minCutoff: Double = 1.0, beta: Double = 0.05, derivativeCutoff: Double = 1.0) {
        self.minCutoff = minCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }

    enum CodingKeys: String, CodingKey {
        case minCutoff = "min_cutoff", beta, derivativeCutoff = "d_cutoff"
    }
}

/// A causal One-Euro filter over one scalar signal.
public struct OneEuroFilter: Sendable {
    public let parameters: OneEuroParameters
    private var previous: (t: Double, x: Double, dx: Double)?

    public init(_ parameters: OneEuroParameters) { self.parameters = parameters }

    static func smoothingFactor(cutoff: Double, dt: Double) -> Double {
        let tau = 1 / (2 * Double.pi * cutoff)
        return 1 / (1 + tau / dt)
    }

    /// The filtered value of sample `x` taken at time `t` (seconds, increasing).
    public mutating func filter(_ x: Double, at t: Double) -> Double {
        guard let p = previous, t > p.t else {
            previous = (t, x, previous?.dx ?? 0)
            return previous!.x
        }
        let dt = t - p.t
        let rawSpeed = (x - p.x) / dt
        let dx = p.dx + Self.smoothingFactor(cutoff: parameters.derivativeCutoff, dt: dt) * (rawSpeed - p.dx)
        let cutoff = parameters.minCutoff + parameters.beta * abs(dx)
        let value = p.x + Self.smoothingFactor(cutoff: cutoff, dt: dt) * (x - p.x)
        previous = (t, value, dx)
        return value
    }
}

/// Zero-lag smoothing of a whole known series: One-Euro forward, then One-Euro backward over the
/// forward result (like filtfilt). It depends only on the series, so any frame chunk that reads
/// the result gets the same values as a full run. `series[i]` is a vector sampled at `times[i]`.
public func smoothForwardBackward(_ series: [[Double]], times: [Double], parameters: OneEuroParameters) -> [[Double]] {
    precondition(series.count == times.count, "one time per sample")
    guard let width = series.first?.count, series.count > 1 else { return series }
    var out = series
    for k in 0..<width {
        var forward = OneEuroFilter(parameters)
        for i in 0..<series.count { out[i][k] = forward.filter(series[i][k], at: times[i]) }
        var backward = OneEuroFilter(parameters)
        let end = times[times.count - 1]
        for i in stride(from: series.count - 1, through: 0, by: -1) {
            out[i][k] = backward.filter(out[i][k], at: end - times[i])
        }
    }
    return out
}
