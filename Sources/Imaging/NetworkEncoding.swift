/// The one definition of what the networks see, and its inverse.
///
/// Forward (plate -> codec): the plate's RGB goes to scene-linear Rec.709 (the codecs were trained
/// on sRGB images), is clamped to [0, 1] and encoded with the sRGB transfer function. NaN becomes 0
/// and +-Inf the nearest clamp bound first, so nothing non-finite or above 1 ever reaches a network.
/// - Built-in linear spaces (`linear_rec709`, `acescg`, `aces2065_1`): a 3x3 matrix to Rec.709.
/// - `srgb` plates are already display-encoded: only the clamp applies.
/// - Every other space (log camera encodings such as ARRI LogC3 or ACEScct, display spaces) goes
///   through an OpenColorIO processor from the plate's space to the config's linear Rec.709.
/// Inverse (codec -> plate): sRGB decode, then the matrix or OCIO processor back to the plate's
/// space. `decode(encode(x)) == x` (to float precision for OCIO spaces) for every x the encoding
/// can represent.
public struct NetworkEncoding: Sendable, Equatable {
    public let plate: NamedColorSpace
    private let toWorking: [SIMD3<Float>]
    private let fromWorking: [SIMD3<Float>]
    private let isIdentityMatrix: Bool
    private let isDisplayPlate: Bool
    /// OCIO spaces: plate -> linear Rec.709 and back (nil for the built-ins).
    private let linearize: ColorProcessor?
    private let delinearize: ColorProcessor?

    /// A built-in space, without OCIO.
    public init(plate: ColorSpace) {
        let working: ColorSpace = plate == .srgb ? .srgb : .linearRec709
        let m = plate.matrix(to: working)
        self.init(plate: NamedColorSpace(plate),
                  toWorking: m.rows.map { SIMD3<Float>(Float($0.x), Float($0.y), Float($0.z)) },
                  fromWorking: m.inverse.rows.map { SIMD3<Float>(Float($0.x), Float($0.y), Float($0.z)) },
                  isIdentityMatrix: m == .identity, isDisplayPlate: plate == .srgb, linearize: nil, delinearize: nil)
    }

    /// Any resolved space: the built-in math for the four built-ins, OCIO processors otherwise.
    /// Throws when the config cannot build the processors (or has no linear Rec.709 space).
    public init(plate: NamedColorSpace) throws {
        if let builtIn = plate.builtIn {
            self.init(plate: builtIn)
            return
        }
        guard let config = plate.config else { preconditionFailure("an OCIO colour space without a config") }
        let linear = ColorSpaceNames(config: config).builtIn(.linearRec709)
        guard linear.config != nil else {
            throw ColorError.processor("\(plate.name) -> linear Rec.709: the config \(config.path) has no linear Rec.709 colour space (named one of \(ColorSpace.linearRec709.ocioCandidates.joined(separator: ", ")))")
        }
        self.init(plate: plate, toWorking: [], fromWorking: [], isIdentityMatrix: true, isDisplayPlate: false,
                  linearize: try config.processor(from: plate.name, to: linear.name),
                  delinearize: try config.processor(from: linear.name, to: plate.name))
    }

    private init(plate: NamedColorSpace, toWorking: [SIMD3<Float>], fromWorking: [SIMD3<Float>], isIdentityMatrix: Bool,
                 isDisplayPlate: Bool, linearize: ColorProcessor?, delinearize: ColorProcessor?) {
        self.plate = plate
        self.toWorking = toWorking
        self.fromWorking = fromWorking
        self.isIdentityMatrix = isIdentityMatrix
        self.isDisplayPlate = isDisplayPlate
        self.linearize = linearize
        self.delinearize = delinearize
    }

    public static func == (a: NetworkEncoding, b: NetworkEncoding) -> Bool { a.plate == b.plate && a.plate.name == b.plate.name }

    /// True when the plate's space goes through OCIO (then prefer the image functions: one OCIO
    /// call per image instead of one per pixel).
    public var usesOCIO: Bool { linearize != nil }

    @inline(__always) static func sanitized(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        let v = rgb.replacing(with: 0, where: .!(rgb .== rgb))   // NaN -> 0
        return v.clamped(lowerBound: SIMD3(repeating: -65504), upperBound: SIMD3(repeating: 65504))
    }

    @inline(__always) static func display(_ linear: SIMD3<Float>) -> SIMD3<Float> {
        let v = linear.clamped(lowerBound: .zero, upperBound: SIMD3(repeating: 1))
        return SIMD3(SRGB.encode(v.x), SRGB.encode(v.y), SRGB.encode(v.z))
    }

    /// Plate RGB (any values) -> network RGB in [0, 1].
    @inline(__always) public func encode(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        var v = Self.sanitized(rgb)
        if let linearize { return Self.display(linearize.apply(v)) }
        if !isIdentityMatrix { v = SIMD3((toWorking[0] * v).sum(), (toWorking[1] * v).sum(), (toWorking[2] * v).sum()) }
        if isDisplayPlate { return v.clamped(lowerBound: .zero, upperBound: SIMD3(repeating: 1)) }
        return Self.display(v)
    }

    /// Network RGB -> plate RGB (linear for linear plates).
    @inline(__always) public func decode(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        var v = rgb
        if !isDisplayPlate { v = SIMD3(SRGB.decode(v.x), SRGB.decode(v.y), SRGB.decode(v.z)) }
        if let delinearize { return delinearize.apply(v) }
        if !isIdentityMatrix { v = SIMD3((fromWorking[0] * v).sum(), (fromWorking[1] * v).sum(), (fromWorking[2] * v).sum()) }
        return v
    }

    /// What the plate looks like after the encoding and back: the part of the plate a network can see.
    @inline(__always) public func roundTrip(_ rgb: SIMD3<Float>) -> SIMD3<Float> { decode(encode(rgb)) }

    /// Encodes the R, G, B planes of an image (other channels are dropped).
    public func encode(_ image: ImageBuffer) -> ImageBuffer {
        guard usesOCIO else { return map(image, encode) }
        return encodeResampled(prepareForResampling(image))
    }

    /// Decodes the R, G, B planes of a network image.
    public func decode(_ image: ImageBuffer) -> ImageBuffer {
        guard let delinearize else { return map(image, decode) }
        var out = map(image) { SIMD3(SRGB.decode($0.x), SRGB.decode($0.y), SRGB.decode($0.z)) }
        delinearize.apply(to: &out)
        return out
    }

    /// `decode(encode(image))`, one OCIO call each way.
    public func roundTrip(_ image: ImageBuffer) -> ImageBuffer { decode(encode(image)) }

    /// The R, G, B planes in the space crops are resampled in: as the plate holds them for the
    /// built-in spaces (scene-linear light, or sRGB for `srgb` plates), and linear Rec.709 for OCIO
    /// spaces, since averaging log-encoded values is not averaging light. Non-finite values are
    /// made finite first (they would smear through a kernel).
    public func prepareForResampling(_ image: ImageBuffer) -> ImageBuffer {
        var out = map(image, Self.sanitized)
        linearize?.apply(to: &out)
        return out
    }

    /// A resampled image (see `prepareForResampling`) -> network RGB.
    public func encodeResampled(_ image: ImageBuffer) -> ImageBuffer {
        guard usesOCIO else { return map(image, encode) }
        return map(image, Self.display)
    }

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
