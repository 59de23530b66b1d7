import XCTest
@testable import Imaging

final class WarpTests: XCTestCase {
    /// A smooth pattern (different per channel) sampled at pixel centres.
    static func pattern(_ w: Int, _ h: Int, channels: [String] = ["R", "G", "B"],
                        _ f: (Double, Double, Int) -> Double = { x, y, c in sin(0.21 * x + Double(c)) * cos(0.17 * y) + 0.002 * x * Double(c + 1) }) -> ImageBuffer {
        var image = ImageBuffer(width: w, height: h, channels: channels)
        for c in 0..<channels.count {
            for y in 0..<h { for x in 0..<w { image.planes[c][y * w + x] = Float(f(Double(x) + 0.5, Double(y) + 0.5, c)) } }
        }
        return image
    }

    private func maxDiff(_ a: ImageBuffer, _ b: ImageBuffer, inset: Int = 0) -> Float {
        XCTAssertEqual(a.width, b.width); XCTAssertEqual(a.height, b.height)
        var worst: Float = 0
        for c in 0..<a.planes.count {
            for y in inset..<(a.height - inset) {
                for x in inset..<(a.width - inset) {
                    worst = max(worst, abs(a.planes[c][y * a.width + x] - b.planes[c][y * b.width + x]))
                }
            }
        }
        return worst
    }

    func testIdentityAndIntegerShiftsAreExactForEveryFilter() {
        let image = Self.pattern(37, 29)
        for filter in ResampleFilter.allCases {
            for separable in [true, false] {
                let same = image.warpAffine(matrix: .identity, width: 37, height: 29, filter: filter, edge: .clamp,
                                            allowSeparable: separable)
                XCTAssertEqual(maxDiff(same, image), 0, "\(filter) separable=\(separable)")
                // Output pixel (i, j) reads input (i + 3, j - 2).
                let shifted = image.warpAffine(matrix: .translation(3, -2), width: 30, height: 25, filter: filter,
                                               edge: .zero, allowSeparable: separable)
                XCTAssertEqual(shifted.planes[1][5 * 30 + 4], image.planes[1][3 * 37 + 7], "\(filter)")
                XCTAssertEqual(shifted.planes[0][0], 0, "row 0 reads row -2: outside, zero edge")
            }
        }
    }

    func testHalfPixelShiftBilinearAverages() {
        let image = Self.pattern(8, 6)
        let out = image.warpAffine(matrix: .translation(0.5, 0), width: 7, height: 6, filter: .bilinear)
        for y in 0..<6 {
            for x in 0..<7 {
                XCTAssertEqual(out.planes[2][y * 7 + x], (image.planes[2][y * 8 + x] + image.planes[2][y * 8 + x + 1]) / 2, accuracy: 1e-6)
            }
        }
    }

    func testConstantImagesStayConstantWithClampEdges() {
        let image = ImageBuffer(width: 20, height: 15, channels: ["R"], fill: 0.7)
        let m = AffineTransform.translation(10, 7).concatenating(after: .rotation(0.4).concatenating(after: .translation(-12, -9)))
        for filter in ResampleFilter.allCases {
            let out = image.warpAffine(matrix: m, width: 24, height: 18, filter: filter, edge: .clamp)
            XCTAssertLessThan(out.planes[0].map { abs($0 - 0.7) }.max()!, 1e-5, "\(filter)")
        }
    }

    func testSeparablePathMatchesGeneralPath() {
        let image = Self.pattern(50, 40)
        let m = AffineTransform(a: 0.73, b: 0, c: -3.3, d: 0, e: 1.37, f: 2.1)
        for filter in [ResampleFilter.bilinear, .bicubic, .lanczos3] {
            for edge in [EdgeMode.clamp, .zero] {
                let fast = image.warpAffine(matrix: m, width: 60, height: 35, filter: filter, edge: edge, allowSeparable: true)
                let slow = image.warpAffine(matrix: m, width: 60, height: 35, filter: filter, edge: edge, allowSeparable: false)
                XCTAssertLessThan(maxDiff(fast, slow), 1e-5, "\(filter) \(edge)")
            }
        }
    }

    func testAreaDownscaleAveragesBlocksOnBothPaths() {
        let image = Self.pattern(12, 8)
        for separable in [true, false] {
            let out = image.warpAffine(matrix: .scale(2, 2), width: 6, height: 4, filter: .area, edge: .clamp,
                                       allowSeparable: separable)
            for y in 0..<4 {
                for x in 0..<6 {
                    let p = image.planes[0]
                    let mean = (p[2 * y * 12 + 2 * x] + p[2 * y * 12 + 2 * x + 1] + p[(2 * y + 1) * 12 + 2 * x] + p[(2 * y + 1) * 12 + 2 * x + 1]) / 4
                    XCTAssertEqual(out.planes[0][y * 6 + x], mean, accuracy: 1e-6, "separable=\(separable)")
                }
            }
        }
        // resized(.area) to a third: exact 3x3 means.
        let small = image.resized(width: 4, height: 2, filter: .area)   // 12/4 = 3, 8/2 = 4
        var mean: Float = 0
        for y in 0..<4 { for x in 0..<3 { mean += image.planes[1][y * 12 + 3 + x] } }
        XCTAssertEqual(small.planes[1][1], mean / 12, accuracy: 1e-6)
    }

    func testQuarterTurnAboutCentreMovesPixelsExactly() {
        let image = Self.pattern(16, 16)
        // Output -> input: rotate by 90 degrees about the image centre (8, 8).
        let m = AffineTransform.translation(8, 8).concatenating(after: .rotation(.pi / 2).concatenating(after: .translation(-8, -8)))
        for filter in ResampleFilter.allCases {
            let out = image.warpAffine(matrix: m, width: 16, height: 16, filter: filter, edge: .zero)
            for j in 0..<16 {
                for i in 0..<16 {
                    let p = m.apply(Double(i) + 0.5, Double(j) + 0.5)
                    let (sx, sy) = (Int(p.x.rounded(.down)), Int(p.y.rounded(.down)))
                    XCTAssertEqual(out.planes[0][j * 16 + i], image.planes[0][sy * 16 + sx], accuracy: 1e-5, "\(filter)")
                }
            }
        }
    }

    /// A forward warp followed by its inverse gives back the interior: FaceAlign crops and the
    /// compositor's paste-back rely on this.
    func testWarpThenInverseWarpRecoversSmoothImage() throws {
        let image = Self.pattern(64, 64, { x, y, c in sin(0.11 * x + Double(c)) * cos(0.09 * y) })
        let toCrop = AffineTransform.translation(32, 30).concatenating(after: .rotation(0.35).concatenating(after: .scale(1.2, 1.2).concatenating(after: .translation(-31, -33))))
        for (filter, tolerance) in [(ResampleFilter.bilinear, Float(0.02)), (.bicubic, 0.004), (.lanczos3, 0.004)] {
            let crop = try XCTUnwrap(image.warpAffine(inputToOutput: toCrop, width: 64, height: 64, filter: filter, edge: .clamp))
            let back = try XCTUnwrap(crop.warpAffine(inputToOutput: try XCTUnwrap(toCrop.inverse), width: 64, height: 64, filter: filter, edge: .clamp))
            XCTAssertLessThan(maxDiff(back, image, inset: 20), tolerance, "\(filter)")
        }
    }

    func testBicubicReproducesLinearRamps() {
        let image = Self.pattern(30, 30, { x, y, _ in 0.3 * x - 0.2 * y + 1 })
        let m = AffineTransform.translation(15, 15).concatenating(after: .rotation(0.5).concatenating(after: .translation(-15, -15)))
        let out = image.warpAffine(matrix: m, width: 30, height: 30, filter: .bicubic, edge: .clamp)
        for j in 10..<20 {
            for i in 10..<20 {
                let p = m.apply(Double(i) + 0.5, Double(j) + 0.5)
                XCTAssertEqual(Double(out.planes[0][j * 30 + i]), 0.3 * p.x - 0.2 * p.y + 1, accuracy: 1e-4)
            }
        }
    }

    func testResizeKeepsMeanAndAntialiases() {
        // A one-pixel checkerboard shrunk 4x must come out flat grey for every filter.
        let board = Self.pattern(64, 64, { x, y, _ in (Int(x) + Int(y)) % 2 == 0 ? 1 : 0 })
        for filter in ResampleFilter.allCases {
            let small = board.resized(width: 16, height: 16, filter: filter)
            XCTAssertLessThan(small.planes[0].map { abs($0 - 0.5) }.max()!, 0.02, "\(filter)")
        }
        let up = Self.pattern(10, 10).resized(width: 40, height: 40, filter: .lanczos3)
        XCTAssertEqual(up.width, 40)
        XCTAssertEqual(Self.pattern(10, 10).downscaled(by: 2).width, 5)
    }

    func testEmptyAndAllChannelsWarped() {
        let image = Self.pattern(5, 5, channels: ["R", "G", "B", "A", "swap.mask"])
        let out = image.warpAffine(matrix: .identity, width: 0, height: 3)
        XCTAssertEqual(out.channelNames, image.channelNames)
        XCTAssertEqual(out.pixelCount, 0)
        let same = image.warpAffine(matrix: .identity, width: 5, height: 5, filter: .lanczos3)
        XCTAssertEqual(same, image)
    }
}
