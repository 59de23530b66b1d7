/// The gradient-magnitude similarity map of GMSD (Xue, Zhang, Mou and Bovik 2014): Prewitt
/// gradient magnitudes of both luminances in 8-bit units (3x3 kernels divided by 3), and
/// (2 m_o m_r + c) / (m_o^2 + m_r^2 + c) with the paper's c = 170. 1 where the gradients agree.
/// Unlike the paper, the images are not first downsampled by 2: faces in plates are already small.
enum GradientMagnitudeSimilarity {
    static let c: Float = 170
    static let smooth: [Float] = [1.0 / 3, 1.0 / 3, 1.0 / 3]
    static let derivative: [Float] = [1, 0, -1]

    static func magnitude(_ y: QualityPlane) -> QualityPlane {
        let scaled = y.map { $0 * 255 }
        let gx = scaled.filtered(rows: derivative, columns: smooth), gy = scaled.filtered(rows: smooth, columns: derivative)
        return gx.zip(gy) { a, b in (a * a + b * b).squareRoot() }
    }

    static func map(_ output: QualityPlane, _ reference: QualityPlane) -> QualityPlane {
        magnitude(output).zip(magnitude(reference)) { o, r in (2 * o * r + c) / (o * o + r * r + c) }
    }
}
