import Imaging

/// FaceAlign keeps every matrix in the integer-centre convention of its landmarks (pixel i at
/// coordinate i, as MediaPipe and OpenCV); `AffineTransform.fromIntegerCentreConvention` converts
/// before an Imaging warp.
extension AffineTransform {
    public func apply(_ p: SIMD2<Double>) -> SIMD2<Double> {
        let q = apply(p.x, p.y)
        return SIMD2(q.x, q.y)
    }

    /// Uniform scale of a similarity (sqrt of |det|).
    public var uniformScale: Double { abs(determinant).squareRoot() }
}

/// Foundation has an `AffineTransform` too; FaceAlign always means Imaging's.
typealias AffineTransform = Imaging.AffineTransform
