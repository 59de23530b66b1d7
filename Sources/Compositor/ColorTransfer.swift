import Foundation
import Imaging

/// Colour matching of the swapped face to the plate face, measured inside the mask.
///
/// Both images are network images (sRGB-encoded, [0, 1]); the result is clamped back to [0, 1].
public enum ColorTransfer: String, CaseIterable, Sendable {
    /// Reinhard et al. in CIE L*a*b*, made safe for under-trained swaps: per-channel weighted median
    /// and MAD of the pixels with mask >= 0.5 (finite in both images), applied as an offset and a
    /// gain in [0.5, 1], so it can move colour and narrow the swap's spread but never widen it. A
    /// result with more high-frequency energy than the swap is retried with less gain, then dropped.
    case rct
    /// Linear transfer: mean and full 3x3 covariance matched (T = Ct^1/2 Cs^-1/2, symmetric roots).
    case lct
    case none

    /// Recolours `image` so its statistics inside `mask` match `reference`'s inside the same mask.
    public func apply(to image: ImageBuffer, reference: ImageBuffer, mask: [Float]) -> ImageBuffer {
        precondition(image.width == reference.width && image.height == reference.height && mask.count == image.pixelCount,
                     "colour transfer needs equal sizes")
        guard self != .none, mask.reduce(0, { $0 + Double(max($1, 0)) }) >= 1 else { return image }
        switch self {
        case .rct: return Self.reinhard(image, reference, mask)
        case .lct: return Self.linear(image, reference, mask)
        case .none: return image
        }
    }

    static func pixels(_ image: ImageBuffer) -> [SIMD3<Double>] {
        let (r, g, b) = (image[channel: "R"], image[channel: "G"], image[channel: "B"])
        return (0..<image.pixelCount).map { SIMD3(Double(r[$0]), Double(g[$0]), Double(b[$0])) }
    }

    static func image(_ pixels: [SIMD3<Double>], like template: ImageBuffer) -> ImageBuffer {
        var out = ImageBuffer(width: template.width, height: template.height, channels: ["R", "G", "B"])
        for (i, p) in pixels.enumerated() {
            let c = p.replacing(with: SIMD3<Double>.zero, where: .!(p .== p)).clamped(lowerBound: .zero, upperBound: SIMD3(repeating: 1))
            out.planes[0][i] = Float(c.x)
            out.planes[1][i] = Float(c.y)
            out.planes[2][i] = Float(c.z)
        }
        return out
    }

    /// Mask-weighted mean and covariance.
    static func statistics(_ p: [SIMD3<Double>], _ mask: [Float]) -> (mean: SIMD3<Double>, cov: [[Double]]) {
        var total = 0.0
        var mean = SIMD3<Double>.zero
        for (i, v) in p.enumerated() where mask[i] > 0 { total += Double(mask[i]); mean += Double(mask[i]) * v }
        mean /= total
        var cov = [[Double]](repeating: [0, 0, 0], count: 3)
        for (i, v) in p.enumerated() where mask[i] > 0 {
            let d = v - mean
            for r in 0..<3 { for c in 0..<3 { cov[r][c] += Double(mask[i]) * d[r] * d[c] } }
        }
        return (mean, cov.map { $0.map { $0 / total } })
    }

    /// Pixels with less mask than this are edge blend, not face, and do not vote.
    static let faceWeight: Float = 0.5
    /// Fewer face pixels than this are too few to measure; the swap is left as it is.
    static let minimumSamples = 64
    /// A robust L* spread below this (in L* units) is a flat patch, not a face (a clipped or
    /// missing plate, a solid-colour swap): nothing sound to match, the swap is left as it is.
    static let flatLightness = 0.5
    /// Gain bounds, reference spread / swap spread. At most 1: a gain above 1 amplifies whatever the
    /// swap's deviations are made of, and on an under-trained swap much of that is noise, so the plate
    /// may narrow the swap's spread but never widen it. At least 0.5: the swap's features are the
    /// point of the swap; a flatter plate face (soft light, defocus, a grey plate's chroma) may halve
    /// their contrast, not erase them.
    static let gainRange = 0.5...1.0

    static func reinhard(_ image: ImageBuffer, _ reference: ImageBuffer, _ mask: [Float]) -> ImageBuffer {
        let swap = pixels(image), plate = pixels(reference)
        let isFinite = { (v: SIMD3<Double>) in v.x.isFinite && v.y.isFinite && v.z.isFinite }
        let samples = mask.indices.filter { mask[$0] >= faceWeight && isFinite(swap[$0]) && isFinite(plate[$0]) }
        guard samples.count >= minimumSamples else { return image }
        // Out-of-range swap values are clamped first, as the result is; both sides then see [0, 1].
        let unit = swap.map { v in SIMD3((0..<3).map { v[$0].isNaN ? 0 : min(max(v[$0], 0), 1) }) }
        let src = unit.map(Lab.fromSRGB)
        let weights = samples.map { Double(mask[$0]) }
        let s = RobustStatistics(samples.map { src[$0] }, weights: weights)
        let t = RobustStatistics(samples.map { Lab.fromSRGB(plate[$0]) }, weights: weights)
        guard s.scale.x >= flatLightness, t.scale.x >= flatLightness else { return image }
        // A channel the swap has no spread in (a grey swap's chroma) has nothing to scale: offset only.
        var gain = SIMD3<Double>(repeating: 1)
        for c in 0..<3 where s.scale[c] > 1e-6 { gain[c] = min(max(t.scale[c] / s.scale[c], gainRange.lowerBound), gainRange.upperBound) }
        // A gain <= 1 shrinks deviations in L*a*b*, but the way back to sRGB is not linear: an offset
        // towards light or saturated colours steepens it, and clamping can cut new edges. The result
        // is therefore measured, and the gain lowered (then the transfer dropped) if it added detail.
        let before = highFrequencyEnergy(Self.image(unit, like: image), mask: mask)
        for _ in 0..<3 {
            let out = Self.image(src.map { Lab.toSRGB(($0 - s.median) * gain + t.median) }, like: image)
            let after = highFrequencyEnergy(out, mask: mask)
            if after <= before { return out }
            gain *= 0.9 * (before / after).squareRoot()
        }
        return image
    }

    static func linear(_ image: ImageBuffer, _ reference: ImageBuffer, _ mask: [Float]) -> ImageBuffer {
        let src = pixels(image)
        let s = statistics(src, mask), t = statistics(pixels(reference), mask)
        let eps = 1e-6
        let sInvRoot = SymmetricMatrix3.power(s.cov, -0.5, regularise: eps)
        let tRoot = SymmetricMatrix3.power(t.cov, 0.5, regularise: 0)
        let m = SymmetricMatrix3.multiply(tRoot, sInvRoot)
        let out = src.map { v -> SIMD3<Double> in
            let d = v - s.mean
            return SIMD3((0..<3).map { r in m[r][0] * d.x + m[r][1] * d.y + m[r][2] * d.z }) + t.mean
        }
        return Self.image(out, like: image)
    }
}

/// CIE L*a*b* (D65) from and to sRGB-encoded values.
enum Lab {
    static let toXYZ: [[Double]] = [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
    static let white = SIMD3(0.95047, 1.0, 1.08883)
    static let fromXYZ = SymmetricMatrix3.inverse(toXYZ)

    static func fromSRGB(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let lin = SIMD3((0..<3).map { Double(SRGB.decode(Float(v[$0]))) })
        let xyz = SIMD3((0..<3).map { r in toXYZ[r][0] * lin.x + toXYZ[r][1] * lin.y + toXYZ[r][2] * lin.z }) / white
        let f = SIMD3((0..<3).map { i -> Double in
            let t = xyz[i]
            return t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116
        })
        return SIMD3(116 * f.y - 16, 500 * (f.x - f.y), 200 * (f.y - f.z))
    }

    static func toSRGB(_ lab: SIMD3<Double>) -> SIMD3<Double> {
        let fy = (lab.x + 16) / 116
        let f = SIMD3(fy + lab.y / 500, fy, fy - lab.z / 200)
        let xyz = SIMD3((0..<3).map { i -> Double in
            let t = f[i]
            return t * t * t > 216.0 / 24389 ? t * t * t : (116 * t - 16) * 27 / 24389
        }) * white
        let lin = SIMD3((0..<3).map { r in fromXYZ[r][0] * xyz.x + fromXYZ[r][1] * xyz.y + fromXYZ[r][2] * xyz.z })
        return SIMD3((0..<3).map { Double(SRGB.encode(Float(lin[$0]))) })
    }
}

/// Small 3x3 helpers: products, inverse, and powers of symmetric matrices by Jacobi eigen-decomposition.
enum SymmetricMatrix3 {
    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<3).map { r in (0..<3).map { c in (0..<3).reduce(0) { $0 + a[r][$1] * b[$1][c] } } }
    }

    static func inverse(_ m: [[Double]]) -> [[Double]] {
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        return (0..<3).map { r in (0..<3).map { c in
            let (r1, r2, c1, c2) = ((c + 1) % 3, (c + 2) % 3, (r + 1) % 3, (r + 2) % 3)
            return (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det
        } }
    }

    /// `m^p` for a symmetric positive semi-definite `m`, with `regularise` added to every eigenvalue.
    static func power(_ m: [[Double]], _ p: Double, regularise: Double) -> [[Double]] {
        let (values, vectors) = eigen(m)
        let scaled = values.map { pow(max($0, 0) + regularise, p) }
        return (0..<3).map { r in (0..<3).map { c in (0..<3).reduce(0) { $0 + vectors[r][$1] * scaled[$1] * vectors[c][$1] } } }
    }

    /// Cyclic Jacobi: eigenvalues and eigenvectors (as columns).
    static func eigen(_ input: [[Double]]) -> ([Double], [[Double]]) {
        var a = input
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<50 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            if off < 1e-30 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where abs(a[p][q]) > 1e-300 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 {
                    let (akp, akq) = (a[k][p], a[k][q])
                    a[k][p] = c * akp - s * akq
                    a[k][q] = s * akp + c * akq
                }
                for k in 0..<3 {
                    let (apk, aqk) = (a[p][k], a[q][k])
                    a[p][k] = c * apk - s * aqk
                    a[q][k] = s * apk + c * aqk
                }
                for k in 0..<3 {
                    let (vkp, vkq) = (v[k][p], v[k][q])
                    v[k][p] = c * vkp - s * vkq
                    v[k][q] = s * vkp + c * vkq
                }
            }
        }
        return ([a[0][0], a[1][1], a[2][2]], v)
    }
}
