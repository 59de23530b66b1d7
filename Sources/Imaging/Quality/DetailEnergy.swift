/// Fine detail as band-pass energy: (G1(Y) - G3(Y))^2 per pixel, G1 and G3 Gaussian blurs of sigma
/// 1 and 3 (taps to 3 sigma). A swap's energy over the plate's is its detail ratio: 1 = as detailed
/// as the real face, a blurry result near 0, added noise above 1.
enum DetailEnergy {
    static let fine = gaussianTaps(sigma: 1, radius: 3)
    static let coarse = gaussianTaps(sigma: 3, radius: 9)

    static func map(_ y: QualityPlane) -> QualityPlane {
        y.filtered(fine).zip(y.filtered(coarse)) { a, b in (a - b) * (a - b) }
    }
}
