import XCTest
@testable import FaceAlign

final class MTCNNStepsTests: XCTestCase {
    typealias C = MTCNNSteps.Candidate

    func testPyramidMatchesUpstreamRule() {
        let scales = MTCNNSteps.pyramidScales(width: 910, height: 1137, minFaceSize: 20)
        XCTAssertEqual(scales.first!, 0.6, accuracy: 1e-12)
        // min side 910: 910 * 0.6 * 0.709^k >= 12 for k = 0...11.
        XCTAssertEqual(scales.count, 12)
        XCTAssertGreaterThanOrEqual(910 * scales.last!, 12)
        XCTAssertLessThan(910 * scales.last! * 0.709, 12)
        // The golden raw P-Net input of obama.png is the 12/40 level: 342 x 274.
        let size = MTCNNSteps.levelSize(width: 910, height: 1137, scale: 12.0 / 40)
        XCTAssertEqual(size.height, 342)
        XCTAssertEqual(size.width, 274)
    }

    func testCandidatesUseStrideTwoCellsAndOneBasedBoxes() {
        var prob = [Float](repeating: 0.1, count: 3 * 4)
        prob[1 * 4 + 2] = 0.9 // row 1, col 2
        prob[2 * 4 + 0] = 0.6 // exactly the threshold: kept (>=)
        let reg = (0..<(4 * 12)).map { Float($0) / 100 }
        let out = MTCNNSteps.candidates(prob: prob, reg: reg, rows: 3, cols: 4, scale: 0.5, threshold: 0.6)
        XCTAssertEqual(out.count, 2)
        XCTAssertEqual(out[0].box, FaceBox(x1: 10, y1: 6, x2: 32, y2: 28))
        XCTAssertEqual(out[0].regression, SIMD4(0.06, 0.18, 0.30, 0.42))
        XCTAssertEqual(out[1].box, FaceBox(x1: 2, y1: 10, x2: 24, y2: 32))
    }

    func testNMSUnionAndMinimum() {
        func c(_ x: Float, _ s: Float, size: Float = 10) -> C {
            C(box: FaceBox(x1: x, y1: 0, x2: x + size, y2: size), score: s, regression: .zero)
        }
        // IoU(0..10, 2..12) = 80/120 = 0.667: dropped at 0.5, kept at 0.7.
        let items = [c(2, 0.8), c(0, 0.9), c(30, 0.7)]
        XCTAssertEqual(MTCNNSteps.nms(items, threshold: 0.5, mode: .union), [1, 2])
        XCTAssertEqual(MTCNNSteps.nms(items, threshold: 0.7, mode: .union), [1, 0, 2])
        // A small box inside a big one: IoU small, but "Min" overlap is 1.
        let nested = [c(0, 0.95, size: 40), c(10, 0.9, size: 8)]
        XCTAssertEqual(MTCNNSteps.nms(nested, threshold: 0.7, mode: .union), [0, 1])
        XCTAssertEqual(MTCNNSteps.nms(nested, threshold: 0.7, mode: .minimum), [0])
    }

    func testRegressionSquaringAndCropping() {
        let box = FaceBox(x1: 10, y1: 20, x2: 30, y2: 60)
        XCTAssertEqual(MTCNNSteps.regress(box, SIMD4(0.1, -0.1, 0.2, 0), plusOne: false), FaceBox(x1: 12, y1: 16, x2: 34, y2: 60))
        XCTAssertEqual(MTCNNSteps.regress(box, SIMD4(0.1, -0.1, 0.2, 0), plusOne: true), FaceBox(x1: 12.1, y1: 15.9, x2: 34.2, y2: 60))
        XCTAssertEqual(MTCNNSteps.square(box), FaceBox(x1: 0, y1: 20, x2: 40, y2: 60))
        // Truncate toward zero, clamp to [1, W] x [1, H], zero-based inclusive start.
        let r = MTCNNSteps.cropRegion(FaceBox(x1: -5.7, y1: 3.9, x2: 120.2, y2: 50.99), width: 100, height: 80)!
        XCTAssertEqual(r.x0, 0); XCTAssertEqual(r.y0, 2); XCTAssertEqual(r.x1, 100); XCTAssertEqual(r.y1, 50)
        XCTAssertNil(MTCNNSteps.cropRegion(FaceBox(x1: 150, y1: 3, x2: 170, y2: 20), width: 100, height: 80))
        XCTAssertNil(MTCNNSteps.cropRegion(FaceBox(x1: .nan, y1: 3, x2: .infinity, y2: 20), width: 100, height: 80))
        let p = MTCNNSteps.points([0, 1, 0.5, 0.25, 0.75, 0, 0, 0.5, 1, 1], box: FaceBox(x1: 10, y1: 20, x2: 29, y2: 39))
        XCTAssertEqual(p[1], SIMD2(29, 19))
        XCTAssertEqual(p[2], SIMD2(19, 29))
    }

    func testAreaResizeIsAdaptiveAveragePooling() {
        // 5 -> 3 columns: windows [0,2), [1,4), [3,5); 2 -> 2 rows unchanged.
        let src: [Float] = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50]
        var out = [Float](repeating: 0, count: 6)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                areaResize(s.baseAddress!, planeSize: 10, stride: 5, channels: 1, x0: 0, y0: 0, width: 5, height: 2,
                           outWidth: 3, outHeight: 2, into: o.baseAddress!)
            }
        }
        XCTAssertEqual(out, [1.5, 3, 4.5, 15, 30, 45])
    }

    /// The summed-area pyramid gives areaResize's levels bit for bit on 8-bit images (odd sizes,
    /// windows of 1 to ~40 pixels a side), and declines non-integer images.
    func testSummedAreaPyramidEqualsAreaResizeOnWholeNumbers() throws {
        let (w, h) = (157, 93)
        var state: UInt32 = 12345
        let rgb = (0..<(3 * w * h)).map { _ -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 24)
        }
        let pyramid = try XCTUnwrap(SummedAreaPyramid(rgb: rgb, width: w, height: h))
        for (ow, oh) in [(157, 93), (95, 56), (31, 19), (12, 12), (4, 3), (200, 101)] {
            var direct = [Float](repeating: 0, count: 3 * ow * oh)
            rgb.withUnsafeBufferPointer { s in
                direct.withUnsafeMutableBufferPointer { o in
                    areaResize(s.baseAddress!, planeSize: w * h, stride: w, channels: 3, x0: 0, y0: 0, width: w, height: h,
                               outWidth: ow, outHeight: oh, into: o.baseAddress!)
                }
            }
            XCTAssertEqual(pyramid.level(outWidth: ow, outHeight: oh), direct, "\(ow)x\(oh)")
        }
        var fractional = rgb
        fractional[5] += 0.25
        XCTAssertNil(SummedAreaPyramid(rgb: fractional, width: w, height: h))
    }
}
