import XCTest
@testable import Imaging

final class ColorTests: XCTestCase {
    private func assertMatrix(_ m: Matrix3, _ expected: [[Double]], accuracy: Double, _ what: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        for r in 0..<3 {
            for c in 0..<3 {
                XCTAssertEqual(m[r, c], expected[r][c], accuracy: accuracy, "\(what) [\(r)][\(c)] in \(m)", file: file, line: line)
            }
        }
    }

    // SMPTE ST 2065-1 / Academy TB-2014-004: the published normalised primary matrices.
    func testACESPrimaryMatricesMatchTheSpecification() {
        assertMatrix(Chromaticities.acesAP0.rgbToXYZ, [
            [0.9525523959, 0.0, 0.0000936786], [0.3439664498, 0.7281660966, -0.0721325464], [0.0, 0.0, 1.0088251844],
        ], accuracy: 1e-9, "AP0 -> XYZ")
        assertMatrix(Chromaticities.acesAP1.rgbToXYZ, [
            [0.6624541811, 0.1340042065, 0.1561876870], [0.2722287168, 0.6740817658, 0.0536895174],
            [-0.0055746495, 0.0040607335, 1.0103391003],
        ], accuracy: 1e-9, "AP1 -> XYZ")
        // AP0 -> AP1 shares the white point: no adaptation, whatever the method.
        for method in ChromaticAdaptation.allCases {
            assertMatrix(ColorSpace.aces2065_1.matrix(to: .acescg, adaptation: method), [
                [1.4514393161, -0.2365107469, -0.2149285693], [-0.0765537734, 1.1762296998, -0.0996759264],
                [0.0083161484, -0.0060324498, 0.9977163014],
            ], accuracy: 1e-9, "AP0 -> AP1 (\(method))")
        }
    }

    // The sRGB/Rec.709 primary matrix of IEC 61966-2-1 (4 decimals in the standard).
    func testRec709ToXYZMatchesSRGBStandard() {
        assertMatrix(Chromaticities.rec709.rgbToXYZ, [
            [0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505],
        ], accuracy: 1e-4, "Rec.709 -> XYZ")
    }

    // OpenColorIO ACES 1.x configs ("Utility - Linear - sRGB"), Bradford.
    func testRec709ToACESWithBradfordMatchesOCIOConfig() {
        assertMatrix(ColorSpace.linearRec709.matrix(to: .acescg), [
            [0.613097402, 0.339523146, 0.047379451], [0.070193723, 0.916353879, 0.013452398],
            [0.020615593, 0.109569773, 0.869814634],
        ], accuracy: 1e-6, "Rec.709 -> ACEScg (Bradford)")
        assertMatrix(ColorSpace.linearRec709.matrix(to: .aces2065_1), [
            [0.439632982, 0.382988698, 0.177378320], [0.089776443, 0.813439429, 0.096784128],
            [0.017541170, 0.111546553, 0.870912276],
        ], accuracy: 1e-6, "Rec.709 -> ACES2065-1 (Bradford)")
    }

    // OpenColorIO 2.x CG/studio configs ("Linear Rec.709 (sRGB)" to ACES2065-1) use CAT02.
    func testRec709ToACESWithCAT02MatchesOCIO2Config() {
        assertMatrix(ColorSpace.linearRec709.matrix(to: .aces2065_1, adaptation: .cat02), [
            [0.4395770431, 0.3839148954, 0.1765080615], [0.0896030338, 0.8147638540, 0.0956331122],
            [0.0174119762, 0.1087181258, 0.8738698980],
        ], accuracy: 1e-4, "Rec.709 -> ACES2065-1 (CAT02)")
    }

    func testWhiteStaysWhiteAndRoundTripsAreIdentity() {
        for source in ColorSpace.allCases where source.isLinear {
            for target in ColorSpace.allCases where target.isLinear {
                let m = source.matrix(to: target)
                let white = m * SIMD3(1, 1, 1)
                XCTAssertEqual(white.x, 1, accuracy: 1e-9, "\(source)->\(target)")
                XCTAssertEqual(white.y, 1, accuracy: 1e-9)
                XCTAssertEqual(white.z, 1, accuracy: 1e-9)
                let back = target.matrix(to: source) * m
                for r in 0..<3 { for c in 0..<3 { XCTAssertEqual(back[r, c], r == c ? 1 : 0, accuracy: 1e-12) } }
            }
        }
    }

    func testSRGBTransferKnownValues() {
        XCTAssertEqual(SRGB.encode(0.18), 0.461356, accuracy: 2e-6)
        XCTAssertEqual(SRGB.encode(1), 1, accuracy: 1e-6)
        XCTAssertEqual(SRGB.encode(0), 0)
        XCTAssertEqual(SRGB.encode(0.0031308), 0.04045, accuracy: 1e-6)
        XCTAssertEqual(SRGB.decode(0.5), 0.214041, accuracy: 2e-6)
        XCTAssertEqual(SRGB.decode(0.04045), 0.0031308, accuracy: 1e-7)
        XCTAssertEqual(SRGB.encode(-0.18), -SRGB.encode(0.18))
        XCTAssertGreaterThan(SRGB.encode(4), 1.8, "values above 1 are not clamped")
        for i in 0...1000 {
            let x = Float(i) / 500 - 0.5
            XCTAssertEqual(SRGB.decode(SRGB.encode(x)), x, accuracy: 2e-6 + abs(x) * 2e-6)
        }
    }

    func testImageConversionAppliesMatrixAndTransfer() {
        var image = ImageBuffer(width: 2, height: 1, channels: ["R", "G", "B", "A"],
                                planes: [[0.5, 1], [0.25, 0], [0.75, 0], [0.3, 0.4]])
        let original = image
        image.convertColor(from: .srgb, to: .acescg)
        let m = ColorSpace.linearRec709.matrix(to: .acescg)
        let linear = SIMD3(Double(SRGB.decode(0.5)), Double(SRGB.decode(0.25)), Double(SRGB.decode(0.75)))
        let expected = m * linear
        XCTAssertEqual(Double(image[channel: "R"][0]), expected.x, accuracy: 1e-6)
        XCTAssertEqual(Double(image[channel: "G"][0]), expected.y, accuracy: 1e-6)
        XCTAssertEqual(Double(image[channel: "B"][0]), expected.z, accuracy: 1e-6)
        XCTAssertEqual(image[channel: "A"], [0.3, 0.4], "alpha untouched")
        image.convertColor(from: .acescg, to: .srgb)
        for c in ["R", "G", "B"] {
            for i in 0..<2 { XCTAssertEqual(image[channel: c][i], original[channel: c][i], accuracy: 1e-5) }
        }
    }
}
