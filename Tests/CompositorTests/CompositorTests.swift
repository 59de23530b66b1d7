import XCTest
import Imaging
@testable import Compositor

/// The difference paste-back: bit identity outside the mask, HDR and NaN safety, a faithful identity swap.
final class CompositorTests: XCTestCase {
    let size = 64
    /// A rotated, scaled face crop inside a 200x150 plate.
    let plateToCrop = AffineTransform.translation(32, 32)
        .concatenating(after: AffineTransform.rotation(0.3))
        .concatenating(after: AffineTransform.scale(0.8, 0.8))
        .concatenating(after: AffineTransform.translation(-110, -70))

    func randomPlate(seed: UInt64, width: Int = 200, height: Int = 150) -> ImageBuffer {
        var rng = SplitMix(seed: seed)
        var plate = ImageBuffer(width: width, height: height, channels: ["R", "G", "B", "A"], fill: 1)
        for c in 0..<3 { plate.planes[c] = (0..<plate.pixelCount).map { _ in Float(rng.unit() * 3 - 0.5) } }
        // Plant the values a compositor must never touch: NaN, +-Inf, large and negative numbers.
        for (i, v) in [Float.nan, .infinity, -.infinity, 70000, -3, Float(bitPattern: 0x7fc0_1234)].enumerated() {
            for k in stride(from: i * 997, to: plate.pixelCount, by: 5003) { plate.planes[k % 3][k] = v }
        }
        return plate
    }

    func discMask(radius: Float) -> [Float] {
        (0..<size * size).map { i in
            let dx = Float(i % size) + 0.5 - Float(size) / 2, dy = Float(i / size) + 0.5 - Float(size) / 2
            return (dx * dx + dy * dy).squareRoot() < radius ? 1 : 0
        }
    }

    func testOutsideMaskIsBitIdenticalAndNaNSafe() throws {
        let plate = randomPlate(seed: 1)
        let compositor = Compositor(encoding: NetworkEncoding(plate: .acescg), colorTransfer: .rct, maskErode: 2, maskBlur: 4)
        let input = try XCTUnwrap(compositor.networkCrop(plate: plate, plateToCrop: plateToCrop, size: size))
        // The codec never sees NaN/Inf or values outside [0, 1].
        for p in input.planes { XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 <= 1 }) }
        var rng = SplitMix(seed: 2)
        var swapped = input
        for c in 0..<3 { swapped.planes[c] = swapped.planes[c].map { _ in Float(rng.unit()) } }
        var out = plate
        var layers = SwapLayers(plate: plate, keepRaw: true)
        compositor.composite(plate: &out, plateToCrop: plateToCrop, codecInput: input, swapped: swapped,
                             mask: discMask(radius: 24), layers: &layers)
        var inside = 0, changed = 0
        for i in 0..<plate.pixelCount {
            for c in 0..<4 {
                let (a, b) = (plate.planes[c][i], out.planes[c][i])
                if layers.mask[i] == 0 || c == 3 {
                    XCTAssertEqual(a.bitPattern, b.bitPattern, "pixel \(i) channel \(c) changed outside the mask")
                } else {
                    XCTAssertTrue(b.isFinite, "non-finite result under the mask at \(i)")
                    if a.bitPattern != b.bitPattern { changed += 1 }
                }
            }
            if layers.mask[i] > 0 { inside += 1 }
        }
        XCTAssertGreaterThan(inside, 800, "the mask covers the face region")
        XCTAssertGreaterThan(changed, inside, "the swap changed the pixels under the mask")
        // The raw layer holds the swap inside the crop footprint and the plate elsewhere.
        let raw = try XCTUnwrap(layers.raw)
        XCTAssertEqual(raw.planes[0][0].bitPattern, plate.planes[0][0].bitPattern)
        XCTAssertNotEqual(raw.planes[0][70 * 200 + 110], plate.planes[0][70 * 200 + 110])
    }

    func testIdentitySwapKeepsHDRAndNegativeValues() throws {
        // A smooth plate with highlights far above 1 and negative values: an identity swap must give
        // back the plate where it is smooth, including the parts the codec cannot see.
        var plate = ImageBuffer(width: 200, height: 150, channels: ["R", "G", "B"])
        for y in 0..<150 { for x in 0..<200 {
            let i = y * 200 + x
            plate.planes[0][i] = 0.2 + 0.001 * Float(x)
            plate.planes[1][i] = x > 100 ? 8.0 : 0.05
            plate.planes[2][i] = -0.02
        } }
        let compositor = Compositor(encoding: NetworkEncoding(plate: .linearRec709), colorTransfer: .none, maskErode: 0, maskBlur: 2)
        let input = try XCTUnwrap(compositor.networkCrop(plate: plate, plateToCrop: plateToCrop, size: size))
        var out = plate
        var layers = SwapLayers(plate: plate, keepRaw: false)
        compositor.composite(plate: &out, plateToCrop: plateToCrop, codecInput: input, swapped: input,
                             mask: discMask(radius: 28), layers: &layers)
        var checked = 0
        for y in 0..<150 { for x in 0..<200 where abs(x - 100) > 4 {
            let i = y * 200 + x
            guard layers.mask[i] > 0.99 else { continue }
            checked += 1
            XCTAssertEqual(out.planes[0][i], plate.planes[0][i], accuracy: 2e-3)
            XCTAssertEqual(out.planes[1][i], plate.planes[1][i], accuracy: 1e-3)   // 8.0 survives the [0,1] codec
            XCTAssertEqual(out.planes[2][i], -0.02, accuracy: 1e-5)
        } }
        XCTAssertGreaterThan(checked, 500)
    }

    func testNonFinitePlateUnderMaskTakesTheSwap() throws {
        var plate = ImageBuffer(width: 200, height: 150, channels: ["R", "G", "B"], fill: 0.18)
        let centre = 70 * 200 + 110
        plate.planes[0][centre] = .nan
        plate.planes[1][centre] = .infinity
        plate.planes[2][5] = .nan   // far outside the face
        let compositor = Compositor(encoding: NetworkEncoding(plate: .linearRec709), colorTransfer: .none, maskErode: 0, maskBlur: 0)
        let input = try XCTUnwrap(compositor.networkCrop(plate: plate, plateToCrop: plateToCrop, size: size))
        XCTAssertTrue(input.planes.allSatisfy { $0.allSatisfy(\.isFinite) })
        let swapped = ImageBuffer(width: size, height: size, channels: ["R", "G", "B"], fill: 0.5)
        var out = plate
        var layers = SwapLayers(plate: plate, keepRaw: false)
        compositor.composite(plate: &out, plateToCrop: plateToCrop, codecInput: input, swapped: swapped,
                             mask: [Float](repeating: 1, count: size * size), layers: &layers)
        XCTAssertEqual(out.planes[0][centre], SRGB.decode(0.5), accuracy: 1e-5)
        XCTAssertEqual(out.planes[1][centre], SRGB.decode(0.5), accuracy: 1e-5)
        XCTAssertTrue(out.planes[2][5].isNaN)
    }

    func testNetworkEncodingRoundTrip() {
        for space in [ColorSpace.linearRec709, .acescg, .aces2065_1, .srgb] {
            let encoding = NetworkEncoding(plate: space)
            let grey = SIMD3<Float>(0.18, 0.18, 0.18)
            let back = encoding.roundTrip(grey)
            XCTAssertEqual(back.x, 0.18, accuracy: 2e-4, "\(space)")
            XCTAssertEqual(back.z, 0.18, accuracy: 2e-4, "\(space)")
            let e = encoding.encode(SIMD3(.nan, .infinity, 1e30))
            XCTAssertTrue(e.x >= 0 && e.x <= 1 && e.y >= 0 && e.y <= 1 && e.z >= 0 && e.z <= 1, "\(space): \(e)")
        }
        XCTAssertEqual(NetworkEncoding(plate: .linearRec709).encode(SIMD3(0.18, 0, 1)).x, 0.4614, accuracy: 1e-3)
    }
}

final class ColorTransferTests: XCTestCase {
    let n = 48

    func images() -> (ImageBuffer, ImageBuffer, [Float]) {
        var rng = SplitMix(seed: 9)
        var src = ImageBuffer(width: n, height: n, channels: ["R", "G", "B"])
        var ref = src
        for i in 0..<n * n {
            let t = Float(rng.unit()), u = Float(rng.unit()), v = Float(rng.unit())
            src.planes[0][i] = 0.3 + 0.2 * t; src.planes[1][i] = 0.5 + 0.1 * u; src.planes[2][i] = 0.4 + 0.1 * t * v
            ref.planes[0][i] = 0.55 + 0.1 * u; ref.planes[1][i] = 0.35 + 0.15 * t; ref.planes[2][i] = 0.3 + 0.1 * (t + u) / 2
        }
        let mask = (0..<n * n).map { Float(($0 % n) > 8 && ($0 / n) > 8 ? 1 : 0) }
        return (src, ref, mask)
    }

    func testRCTMatchesLabMedianWithBoundedGain() {
        let (src, ref, mask) = images()
        let out = ColorTransfer.rct.apply(to: src, reference: ref, mask: mask)
        let face = mask.indices.filter { mask[$0] >= 0.5 }
        let robust = { (image: ImageBuffer) -> RobustStatistics in
            let lab = ColorTransfer.pixels(image).map(Lab.fromSRGB)
            return RobustStatistics(face.map { lab[$0] }, weights: face.map { Double(mask[$0]) })
        }
        let (a, b, before) = (robust(out), robust(ref), robust(src))
        for k in 0..<3 {
            XCTAssertGreaterThan(abs(before.median[k] - b.median[k]) + abs(before.scale[k] - b.scale[k]), 0.5, "the test needs different statistics")
            XCTAssertEqual(a.median[k], b.median[k], accuracy: 0.1)
            // The spread follows the plate's only as far as the gain bounds allow: never wider than the swap's.
            let gain = min(max(b.scale[k] / before.scale[k], 0.5), 1)
            XCTAssertEqual(a.scale[k], gain * before.scale[k], accuracy: 0.03 * before.scale[k])
        }
    }

    func testLCTMatchesMeanAndCovariance() {
        let (src, ref, mask) = images()
        let out = ColorTransfer.lct.apply(to: src, reference: ref, mask: mask)
        let a = ColorTransfer.statistics(ColorTransfer.pixels(out), mask)
        let b = ColorTransfer.statistics(ColorTransfer.pixels(ref), mask)
        for r in 0..<3 {
            XCTAssertEqual(a.mean[r], b.mean[r], accuracy: 1e-4)
            for c in 0..<3 { XCTAssertEqual(a.cov[r][c], b.cov[r][c], accuracy: 2e-5) }
        }
    }

    func testNoneAndEmptyMaskLeaveTheImage() {
        let (src, ref, mask) = images()
        XCTAssertEqual(ColorTransfer.none.apply(to: src, reference: ref, mask: mask), src)
        XCTAssertEqual(ColorTransfer.rct.apply(to: src, reference: ref, mask: [Float](repeating: 0, count: n * n)), src)
    }
}

final class MaskShapingTests: XCTestCase {
    func testErodeDilateBlurAndBorder() {
        let n = 40
        let square = (0..<n * n).map { i -> Float in (10..<30).contains(i % n) && (10..<30).contains(i / n) ? 1 : 0 }
        let area = { (m: [Float]) in m.reduce(0, +) }
        XCTAssertEqual(area(MaskShaping.shape(square, width: n, height: n, erode: 3, blur: 0)), 14 * 14)
        XCTAssertEqual(area(MaskShaping.shape(square, width: n, height: n, erode: -3, blur: 0)), 26 * 26)
        let blurred = MaskShaping.shape(square, width: n, height: n, erode: 0, blur: 4)
        XCTAssertEqual(area(blurred), 400, accuracy: 1)
        XCTAssertEqual(blurred[20 * n + 20], 1, accuracy: 1e-3)
        XCTAssertGreaterThan(blurred[20 * n + 10], 0.3)
        XCTAssertLessThan(blurred[20 * n + 10], 0.7)
        let full = MaskShaping.shape([Float](repeating: 1, count: n * n), width: n, height: n, erode: 0, blur: 0)
        XCTAssertEqual(full[0], 0)
        XCTAssertEqual(full[n * n - 1], 0)
        XCTAssertEqual(full[n + 1], 1)
    }
}

/// Deterministic test randomness.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
