import Support

/// The colour spaces a plate can be in (shot.yaml `plate.colorspace`).
public enum ColorSpace: String, CaseIterable, Sendable, Codable {
    /// Scene-linear, Rec.709 primaries, D65.
    case linearRec709 = "linear_rec709"
    /// Scene-linear ACES AP1 primaries, ACES white.
    case acescg
    /// Scene-linear ACES AP0 primaries, ACES white.
    case aces2065_1 = "aces2065_1"
    /// Display-referred sRGB: Rec.709 primaries with the sRGB transfer function.
    case srgb

    public var chromaticities: Chromaticities {
        switch self {
        case .linearRec709, .srgb: return .rec709
        case .acescg: return .acesAP1
        case .aces2065_1: return .acesAP0
        }
    }

    public var isLinear: Bool { self != .srgb }

    /// The 3x3 linear-light matrix from `self`'s primaries to `target`'s (identity between the same
    /// primaries; Bradford adaptation between D65 and the ACES white unless told otherwise).
    public func matrix(to target: ColorSpace, adaptation: ChromaticAdaptation = .bradford) -> Matrix3 {
        chromaticities.conversion(to: target.chromaticities, adaptation: adaptation)
    }
}

extension ImageBuffer {
    /// Converts the R, G, B channels from `source` to `target` in place (other channels, e.g. A, are
    /// untouched). sRGB is decoded to linear before the matrix and encoded after it.
    public mutating func convertColor(from source: ColorSpace, to target: ColorSpace,
                                      adaptation: ChromaticAdaptation = .bradford, channels: [String] = ["R", "G", "B"]) {
        guard source != target else { return }
        precondition(channels.count == 3, "colour conversion needs 3 channel names")
        let indices = channels.map { name -> Int in
            guard let i = channelIndex(name) else { preconditionFailure("no channel \(name) in \(channelNames)") }
            return i
        }
        let m = source.matrix(to: target, adaptation: adaptation)
        let f = m.rows.map { SIMD3<Float>(Float($0.x), Float($0.y), Float($0.z)) }
        let (f0, f1, f2) = (f[0], f[1], f[2])
        let isIdentity = m == .identity
        // Moved out of `planes` so the in-place writes do not copy the planes.
        var r = planes[indices[0]], g = planes[indices[1]], b = planes[indices[2]]
        for i in indices { planes[i] = [] }
        let count = pixelCount
        r.withUnsafeMutableBufferPointer { rp in
            g.withUnsafeMutableBufferPointer { gp in
                b.withUnsafeMutableBufferPointer { bp in
                    parallelRanges(count) { range in
                        for i in range {
                            var v = SIMD3<Float>(rp[i], gp[i], bp[i])
                            if source == .srgb { v = SIMD3(SRGB.decode(v.x), SRGB.decode(v.y), SRGB.decode(v.z)) }
                            if !isIdentity { v = SIMD3((f0 * v).sum(), (f1 * v).sum(), (f2 * v).sum()) }
                            if target == .srgb { v = SIMD3(SRGB.encode(v.x), SRGB.encode(v.y), SRGB.encode(v.z)) }
                            rp[i] = v.x; gp[i] = v.y; bp[i] = v.z
                        }
                    }
                }
            }
        }
        planes[indices[0]] = r
        planes[indices[1]] = g
        planes[indices[2]] = b
    }

    /// Applies the sRGB encode (`toSRGB`) or decode to the named channels, in place.
    public mutating func applySRGB(encode toSRGB: Bool, channels: [String] = ["R", "G", "B"]) {
        for name in channels {
            guard let c = channelIndex(name) else { continue }
            planes[c].withUnsafeMutableBufferPointer { p in
                parallelRanges(p.count) { range in
                    for i in range { p[i] = toSRGB ? SRGB.encode(p[i]) : SRGB.decode(p[i]) }
                }
            }
        }
    }
}
