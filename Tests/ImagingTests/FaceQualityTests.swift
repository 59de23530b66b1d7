import XCTest
@testable import Imaging

/// The textured fixture of scripts/quality_reference.py: a reference, an output that differs from it
/// (brighter, clipped above 1, with fine ripples) and a soft disk mask.
enum QualityFixture {
    static let width = 48, height = 40

    static func image(_ f: (Double, Double, Int) -> Double) -> ImageBuffer {
        var image = ImageBuffer(width: width, height: height, channels: ["R", "G", "B"])
        for c in 0..<3 { for y in 0..<height { for x in 0..<width {
            image.planes[c][y * width + x] = Float(f(Double(x), Double(y), c))
        } } }
        return image
    }

    static func referenceValue(_ x: Double, _ y: Double, _ c: Int) -> Double {
        switch c {
        case 0: return 0.5 + 0.35 * sin(0.45 * x + 0.3 * y) * cos(0.2 * y - 0.1 * x)
        case 1: return 0.45 + 0.3 * sin(0.9 * x) * sin(0.7 * y) + 0.1 * cos(0.05 * x * y)
        default: return 0.4 + 0.4 * cos(0.33 * x - 0.6 * y)
        }
    }

    static let reference = image(referenceValue)
    static let output = image { x, y, c in
        referenceValue(x, y, c) * 1.1 + 0.05 + 0.08 * sin(1.9 * x + 0.4 * y + Double(c)) * cos(1.3 * y)
    }
    static let disk: [Float] = (0..<(width * height)).map { i in
        let r = hypot(Double(i % width) + 0.5 - 24, Double(i / width) + 0.5 - 20)
        return Float(min(max((14 - r) / 4, 0), 1))
    }

    /// Weight 1 except a 5-pixel border: the pixels scikit-image's SSIM averages.
    static let interior: [Float] = (0..<(width * height)).map { i in
        let (x, y) = (i % width, i / width)
        return x >= 5 && x < width - 5 && y >= 5 && y < height - 5 ? 1 : 0
    }

    /// Deterministic uniform noise in [-amplitude, amplitude] on every channel.
    static func noisy(_ image: ImageBuffer, amplitude: Float) -> ImageBuffer {
        var out = image, state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for c in 0..<out.planes.count { for i in 0..<out.pixelCount {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out.planes[c][i] += amplitude * (Float(state >> 40) / Float(1 << 24) * 2 - 1)
        } }
        return out
    }
}

final class FaceQualityTests: XCTestCase {
    func measure(_ output: ImageBuffer, _ reference: ImageBuffer = QualityFixture.reference,
                 mask: [Float] = QualityFixture.disk) throws -> FaceQualityScores {
        try XCTUnwrap(FaceQuality.measure(output: output, reference: reference, mask: mask))
    }

    func testIdenticalImagesScorePerfect() throws {
        let scores = try measure(QualityFixture.reference)
        XCTAssertEqual(scores.psnr, .infinity)
        XCTAssertEqual(scores.ssim, 1, accuracy: 1e-6)
        XCTAssertEqual(scores.detail, 1, accuracy: 1e-12)
        XCTAssertEqual(scores.gms, 1, accuracy: 1e-12)
    }

    /// Numbers printed by scripts/quality_reference.py (scipy.ndimage filters, scikit-image 0.25 SSIM).
    func testScoresMatchIndependentReference() throws {
        let scores = try measure(QualityFixture.output)
        XCTAssertEqual(scores.psnr, 19.603363, accuracy: 1e-4)
        XCTAssertEqual(scores.ssim, 0.935824, accuracy: 1e-5)
        XCTAssertEqual(scores.detail, 1.209396, accuracy: 1e-5)
        XCTAssertEqual(scores.gms, 0.978710, accuracy: 1e-5)
        // scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
        // use_sample_covariance=False, data_range=1) of the two luminances.
        XCTAssertEqual(try measure(QualityFixture.output, mask: QualityFixture.interior).ssim, 0.937141, accuracy: 1e-5)
    }

    func testBlurLowersDetailSSIMAndGMS() throws {
        let scores = try measure(QualityFixture.reference.qualityBlurred(sigma: 2))
        XCTAssertLessThan(scores.detail, 0.6)
        XCTAssertLessThan(scores.ssim, 0.99)
        XCTAssertLessThan(scores.gms, 0.99)
    }

    func testNoiseRaisesDetailAndLowersGMS() throws {
        let scores = try measure(QualityFixture.noisy(QualityFixture.reference, amplitude: 0.2))
        XCTAssertGreaterThan(scores.detail, 1.05)
        XCTAssertLessThan(scores.gms, 0.98)
        XCTAssertLessThan(scores.ssim, 0.95)
    }

    /// Pixels outside the mask count only through the filters' reach: beyond it, changing them
    /// changes nothing; inside the mask, the same change lowers every score.
    func testMaskRestrictsTheMeasure() throws {
        let w = QualityFixture.width
        let leftHalf: [Float] = (0..<QualityFixture.disk.count).map { $0 % w < 12 ? 1 : 0 }
        var changed = QualityFixture.output
        for c in 0..<3 { for i in 0..<changed.pixelCount where i % w >= 12 + FaceQuality.reach { changed.planes[c][i] = 0.9 } }
        XCTAssertEqual(try measure(changed, mask: leftHalf), try measure(QualityFixture.output, mask: leftHalf))
        let rightHalf = leftHalf.map { 1 - $0 }
        let before = try measure(QualityFixture.output, mask: rightHalf), after = try measure(changed, mask: rightHalf)
        XCTAssertLessThan(after.psnr, before.psnr)
        XCTAssertLessThan(after.ssim, before.ssim)
        XCTAssertLessThan(after.gms, before.gms)
        XCTAssertLessThan(after.detail, before.detail)
        XCTAssertNil(FaceQuality.measure(output: changed, reference: QualityFixture.reference,
                                         mask: [Float](repeating: 0, count: leftHalf.count)))
    }

    /// Measuring only the mask's box (plus the filters' reach) gives the full-image maps' scores.
    func testCroppingToTheMaskKeepsTheScores() throws {
        let scores = try measure(QualityFixture.output)
        let full = QualityBox(x0: 0, y0: 0, x1: QualityFixture.width, y1: QualityFixture.height)
        let yOut = QualityPlane(luminanceOf: QualityFixture.output, box: full)
        let yRef = QualityPlane(luminanceOf: QualityFixture.reference, box: full)
        let weight = QualityFixture.disk.reduce(0.0) { $0 + Double($1) }
        XCTAssertEqual(scores.weight, weight, accuracy: 1e-9)
        XCTAssertEqual(scores.ssim, StructuralSimilarity.map(yOut, yRef).weightedSum(QualityFixture.disk) / weight, accuracy: 1e-12)
        XCTAssertEqual(scores.gms, GradientMagnitudeSimilarity.map(yOut, yRef).weightedSum(QualityFixture.disk) / weight, accuracy: 1e-12)
        XCTAssertEqual(scores.detail, DetailEnergy.map(yOut).weightedSum(QualityFixture.disk)
                           / DetailEnergy.map(yRef).weightedSum(QualityFixture.disk), accuracy: 1e-12)
    }

    func testPooledScoresWeighEachPartByItsMask() throws {
        let a = try measure(QualityFixture.output), b = try measure(QualityFixture.reference, mask: QualityFixture.interior)
        let pooled = try XCTUnwrap(FaceQualityScores.pooled([a, b]))
        XCTAssertEqual(pooled.weight, a.weight + b.weight, accuracy: 1e-9)
        XCTAssertEqual(pooled.ssim, (a.ssim * a.weight + b.ssim * b.weight) / (a.weight + b.weight), accuracy: 1e-12)
        XCTAssertEqual(pooled.mse, a.mse * a.weight / (a.weight + b.weight), accuracy: 1e-12)
        XCTAssertEqual(FaceQualityScores.pooled([a]), a)
        XCTAssertNil(FaceQualityScores.pooled([]))
    }
}
