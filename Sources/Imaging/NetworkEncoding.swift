import Imaging

/// The one definition of what the networks see, and its inverse.
///
/// Forward (plate -> codec): the plate's linear RGB is converted to Rec.709 primaries (the codecs
/// were trained on sRGB images), encoded with the sRGB transfer function and clamped to [0, 1].
/// NaN becomes 0 and +-Inf the nearest clamp bound first, so nothing non-finite or above 1 ever
/// reaches a network. An `srgb` plate is already display-encoded: only the clamp applies.
/// Inverse (codec -> plate): sRGB decode and the matrix back to the plate's primaries (identity for
/// `srgb` plates). `decode(encode(x)) == x` for every x the encoding can represent.
public struct NetworkEncoding: Sendable, Equatable {
    public let plateSpace: ColorSpace
    private let toWorking: [SIMD3<Float>]
    private let fromWorking: [SIMD3<Float>]
    private let isIdentityMatrix: Bool

    public init(plate: ColorSpace) {
        plateSpace = plate
        let working: ColorSpace = plate == .srgb ? .srgb : .linearRec709
        let m = plate.matrix(to: working)
        let inverse = m.inverse
        toWorking = m.rows.map { SIMD3<Float>(Float($0.x), Float($0.y), Float($0.z)) }
        fromWorking = inverse.rows.map { SIMD3<Float>(Float($0.x), Float($0.y), Float($0.z)) }
        isIdentityMatrix = m == .identity
    }

    /// Plate RGB (any values) -> network RGB in [0, 1].
    @inline(__always) public func encode(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        var v = rgb.replacing(with: 0, where: .!(rgb .== rgb))   // NaN -> 0
        v = v.clamped(lowerBound: SIMD3(repeating: -65504), upperBound: SIMD3(repeating: 65504))
        if !isIdentityMatrix { v = SIMD3((toWorking[0] * v).sum(), (toWorking[1] * v).sum(), (toWorking[2] * v).sum()) }
        v = v.clamped(lowerBound: .zero, upperBound: SIMD3(repeating: 1))
        if plateSpace != .srgb { v = SIMD3(SRGB.encode(v.x), SRGB.encode(v.y), SRGB.encode(v.z)) }
        return v
    }

    /// Network RGB -> plate RGB (linear for linear plates).
    @inline(__always) public func decode(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        var v = rgb
        if plateSpace != .srgb { v = SIMD3(SRGB.decode(v.x), SRGB.decode(v.y), SRGB.decode(v.z)) }
        if !isIdentityMatrix { v = SIMD3((fromWorking[0] * v).sum(), (fromWorking[1] * v).sum(), (fromWorking[2] * v).sum()) }
        return v
    }

    /// What the plate looks like after the encoding and back: the part of the plate a network can see.
    @inline(__always) public func roundTrip(_ rgb: SIMD3<Float>) -> SIMD3<Float> { decode(encode(rgb)) }

    /// Encodes the R, G, B planes of an image (other channels are dropped).
    public func encode(_ image: ImageBuffer) -> ImageBuffer { map(image, encode) }

    /// Decodes the R, G, B planes of a network image.
    public func decode(_ image: ImageBuffer) -> ImageBuffer { map(image, decode) }

    private func map(_ image: ImageBuffer, _ f: (SIMD3<Float>) -> SIMD3<Float>) -> ImageBuffer {
        let (r, g, b) = (image[channel: "R"], image[channel: "G"], image[channel: "B"])
        var out = ImageBuffer(width: image.width, height: image.height, channels: ["R", "G", "B"])
        for i in 0..<image.pixelCount {
            let v = f(SIMD3(r[i], g[i], b[i]))
            out.planes[0][i] = v.x
            out.planes[1][i] = v.y
            out.planes[2][i] = v.z
        }
        return out
    }
}
