import XCTest
@testable import Compositor

/// The paste-back's sampler: Catmull-Rom for the swap's colours, clamped to the 2x2 neighbours,
/// bilinear for the mask.
final class CropSamplerTests: XCTestCase {
    let size = 16

    func sample(_ plane: [Float], _ u: Double, _ v: Double, sharp: Bool) -> Float {
        let taps = CropSampler(size: size).taps(u, v)!
        return plane.withUnsafeBufferPointer { sharp ? taps.readSharp($0.baseAddress!) : taps.read($0.baseAddress!) }
    }

    func testPixelCentresAreExact() {
        let plane = (0..<(size * size)).map { Float(($0 * 7919) % 101) / 100 }
        for (x, y) in [(0, 0), (5, 9), (15, 15), (3, 14)] {
            XCTAssertEqual(sample(plane, Double(x) + 0.5, Double(y) + 0.5, sharp: true), plane[y * size + x])
        }
    }

    func testSmoothDetailIsKeptBetterThanBilinear() {
        // A fine sine (period 4 pixels) sampled half-way between pixel centres: bilinear halves its
        // amplitude there, the cubic keeps most of it.
        func f(_ x: Double) -> Float { Float(0.5 + 0.4 * sin(2 * Double.pi * x / 4 + 0.3)) }
        let plane = (0..<(size * size)).map { f(Double($0 % size)) }
        var cubicError: Float = 0, bilinearError: Float = 0
        for i in 3..<12 {
            let x = Double(i) + 0.5 + 0.37
            let truth = f(x - 0.5)
            cubicError = max(cubicError, abs(sample(plane, x, 8.5, sharp: true) - truth))
            bilinearError = max(bilinearError, abs(sample(plane, x, 8.5, sharp: false) - truth))
        }
        XCTAssertLessThan(cubicError, 0.5 * bilinearError, "cubic \(cubicError), bilinear \(bilinearError)")
    }

    func testAnEdgeNeverRings() {
        // A hard step from skin to a highlight: no sample leaves the range of its neighbours.
        let plane = (0..<(size * size)).map { ($0 % size) < 8 ? Float(0.1) : Float(20) }
        for k in 0..<40 {
            let u = 5.5 + Double(k) * 0.125
            let value = sample(plane, u, 7.5, sharp: true)
            XCTAssertGreaterThanOrEqual(value, 0.1)
            XCTAssertLessThanOrEqual(value, 20)
        }
        XCTAssertEqual(sample(plane, 6.9, 7.5, sharp: true), 0.1, "two pixels from the edge stays skin")
    }
}
