import Imaging

/// A face cut out of its source by a similarity: the crop, its face-oval mask and the matrix.
public struct AlignedFace {
    /// Source -> crop, integer pixel centres (the landmarks' convention); its inverse maps the
    /// crop back onto the source.
    public let matrix: Imaging.AffineTransform
    public let size: Int
    public let faceType: FaceType
    /// R, G, B (as the source) at `size` x `size`.
    public let crop: ImageBuffer
    /// Face-oval coverage in [0, 1] at crop size (channel "mask").
    public let mask: ImageBuffer

    /// Aligns `image` (any channels; R, G, B are kept) for a face with 468 mesh landmarks. Area
    /// filtering when the face is shrunk, Lanczos-3 when enlarged; outside the source, edge pixels
    /// repeat (no black borders for the codec to learn).
    public init(image: ImageBuffer, landmarks: [SIMD3<Float>], faceType: FaceType = .wholeFace, size: Int = 512) {
        precondition((16...4096).contains(size), "crop size \(size) out of range")
        let m = FaceTemplate(faceType).alignment(landmarks: landmarks, size: size)
        self.init(image: image, landmarks: landmarks, matrix: m, faceType: faceType, size: size)
    }

    /// Same with a given source -> crop matrix (e.g. from a face set).
    public init(image: ImageBuffer, landmarks: [SIMD3<Float>], matrix m: Imaging.AffineTransform, faceType: FaceType, size: Int) {
        matrix = m
        self.size = size
        self.faceType = faceType
        let filter: ResampleFilter = m.uniformScale < 1 ? .area : .lanczos3
        let cropToSource = Imaging.AffineTransform.fromIntegerCentreConvention(m.inverse!)
        crop = image.selecting(["R", "G", "B"]).warpAffine(matrix: cropToSource, width: size, height: size,
                                                           filter: filter, edge: .clamp)
        mask = ImageBuffer(width: size, height: size, channels: ["mask"],
                           planes: [rasterizePolygon(faceOvalPolygon(landmarks: landmarks, transform: m), width: size, height: size)])
    }
}

/// The face-oval mask in source (plate) space, for compositing: coverage over `width` x `height`
/// (pixels are integer-centred like the landmarks; `origin` is the image's top-left pixel
/// coordinate, e.g. an EXR data window's minimum).
public func plateFaceMask(landmarks: [SIMD3<Float>], width: Int, height: Int, origin: SIMD2<Double> = .zero) -> [Float] {
    let shift = Imaging.AffineTransform.translation(-origin.x, -origin.y)
    return rasterizePolygon(faceOvalPolygon(landmarks: landmarks, transform: shift), width: width, height: height)
}
