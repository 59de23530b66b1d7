import Imaging

/// A face cut out of its source by a similarity: the crop, its face-oval mask and the matrix.
public struct AlignedFace {
    /// Source -> crop, integer pixel centres (the landmarks' convention); its inverse maps the
    /// crop back onto the source.
    public let matrix: Imaging.AffineTransform
    public let size: Int
    public let faceType: FaceType
    /// The network-encoded crop (`AlignedCrop`: R, G, B in [0, 1]) at `size` x `size`.
    public let crop: ImageBuffer
    /// Face-oval coverage in [0, 1] at crop size (channel "mask"), rasterised through the same matrix.
    public let mask: ImageBuffer

    /// Aligns `image` (R, G, B as the file holds them; other channels are ignored) for a face with
    /// 468 mesh landmarks. The crop is `AlignedCrop.make`, the one crop of extract, train and run;
    /// `encoding` is the image's (the default, `srgb`, only clamps display-referred pixels).
    public init(image: ImageBuffer, landmarks: [SIMD3<Float>], faceType: FaceType = .wholeFace, size: Int = 512,
                encoding: NetworkEncoding = NetworkEncoding(plate: .srgb)) {
        precondition((16...4096).contains(size), "crop size \(size) out of range")
        let m = FaceTemplate(faceType).alignment(landmarks: landmarks, size: size)
        self.init(image: image, landmarks: landmarks, matrix: m, faceType: faceType, size: size, encoding: encoding)
    }

    /// Same with a given source -> crop matrix (e.g. from a face set).
    public init(image: ImageBuffer, landmarks: [SIMD3<Float>], matrix m: Imaging.AffineTransform, faceType: FaceType, size: Int,
                encoding: NetworkEncoding) {
        matrix = m
        self.size = size
        self.faceType = faceType
        crop = AlignedCrop.make(frame: image, frameToCrop: .fromIntegerCentreConvention(m), size: size, encoding: encoding)
            ?? ImageBuffer(width: size, height: size, channels: ["R", "G", "B"])
        mask = ImageBuffer(width: size, height: size, channels: ["mask"], planes: [Self.mask(landmarks: landmarks, matrix: m, size: size)])
    }

    /// The face-oval coverage at crop size for source -> crop matrix `m` (integer pixel centres):
    /// the mask of a face set entry and of a swapped face alike.
    public static func mask(landmarks: [SIMD3<Float>], matrix m: Imaging.AffineTransform, size: Int) -> [Float] {
        rasterizePolygon(faceOvalPolygon(landmarks: landmarks, transform: m), width: size, height: size)
    }
}

/// The face-oval mask in source (plate) space, for compositing: coverage over `width` x `height`
/// (pixels are integer-centred like the landmarks; `origin` is the image's top-left pixel
/// coordinate, e.g. an EXR data window's minimum).
public func plateFaceMask(landmarks: [SIMD3<Float>], width: Int, height: Int, origin: SIMD2<Double> = .zero) -> [Float] {
    let shift = Imaging.AffineTransform.translation(-origin.x, -origin.y)
    return rasterizePolygon(faceOvalPolygon(landmarks: landmarks, transform: shift), width: width, height: height)
}
