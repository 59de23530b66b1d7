import XCTest
import Imaging
@testable import Compositor

/// `rct` cannot make a swap worse: robust statistics from the masked face, a gain that never widens
/// the swap's spread, and a finite, unchanged result where nothing sound can be measured.
final class SafeColorTransferTests: XCTestCase {
    let n = 64

    /// A smooth face-like crop: a shaded ellipse of skin on a dark background, darker eyes, a redder
    /// mouth. `tint` scales and `shift` offsets the face colours (per channel, before clamping).
    func face(tint: SIMD3<Double> = .one, shift: SIMD3<Double> = .zero) -> ImageBuffer {
        var out = ImageBuffer(width: n, height: n, channels: ["R", "G", "B"])
        let blob = { (u: Double, v: Double, cu: Double, cv: Double, s: Double) in exp(-((u - cu) * (u - cu) + (v - cv) * (v - cv)) / (2 * s * s)) }
        for y in 0..<n { for x in 0..<n {
            let u = (Double(x) + 0.5 - 32) / 22, v = (Double(y) + 0.5 - 32) / 28
            let inside = 1 / (1 + exp((u * u + v * v - 1) * 12))
            let shade = 0.75 + 0.25 * (0.5 - 0.5 * u) - 0.1 * v
            var skin = SIMD3(0.78, 0.58, 0.47) * shade
            skin -= SIMD3(0.35, 0.3, 0.25) * (blob(u, v, -0.4, -0.25, 0.1) + blob(u, v, 0.4, -0.25, 0.1))
            skin += SIMD3(0.08, -0.12, -0.08) * blob(u, v, 0, 0.5, 0.15)
            skin = skin * tint + shift
            let p = inside * skin + (1 - inside) * SIMD3(0.2, 0.25, 0.3)
            for c in 0..<3 { out.planes[c][y * n + x] = Float(min(max(p[c], 0), 1)) }
        } }
        return out
    }

    /// A soft elliptic mask inside the face, 0 well away from it.
    var mask: [Float] {
        (0..<n * n).map { i in
            let u = (Double(i % n) + 0.5 - 32) / 19, v = (Double(i / n) + 0.5 - 32) / 25
            return Float(min(max((1 - (u * u + v * v)) * 4, 0), 1))
        }
    }

    func noisy(_ image: ImageBuffer, amplitude: Double, seed: UInt64) -> ImageBuffer {
        var rng = SplitMix(seed: seed)
        var out = image
        for c in 0..<3 { out.planes[c] = out.planes[c].map { Float(min(max(Double($0) + amplitude * (2 * rng.unit() - 1), 0), 1)) } }
        return out
    }

    /// Energy of image minus its 3x3 box blur over pixels with mask >= 0.5 (unweighted; interior only),
    /// written independently of the library's measure.
    func detailEnergy(_ image: ImageBuffer, _ mask: [Float]) -> Double {
        var e = 0.0
        for p in image.planes { for y in 1..<(n - 1) { for x in 1..<(n - 1) where mask[y * n + x] >= 0.5 {
            var box = 0.0
            for j in -1...1 { for i in -1...1 { box += Double(p[(y + j) * n + x + i]) } }
            let d = Double(p[y * n + x]) - box / 9
            e += d * d
        } } }
        return e
    }

    func maskedMean(_ image: ImageBuffer, _ mask: [Float]) -> SIMD3<Double> {
        var sum = SIMD3<Double>.zero, count = 0.0
        for i in 0..<n * n where mask[i] >= 0.5 {
            sum += SIMD3(Double(image.planes[0][i]), Double(image.planes[1][i]), Double(image.planes[2][i]))
            count += 1
        }
        return sum / count
    }

    func maxDifference(_ a: ImageBuffer, _ b: ImageBuffer, where keep: (Int) -> Bool = { _ in true }) -> Float {
        var m: Float = 0
        for c in 0..<3 { for i in 0..<n * n where keep(i) { m = max(m, abs(a.planes[c][i] - b.planes[c][i])) } }
        return m
    }

    /// (a) An under-trained swap (the face plus strong per-pixel noise) matched to clean plates that are
    /// darker, brighter, more saturated, higher in contrast: never more detail energy than the swap.
    func testNoisySwapNeverGainsHighFrequencyEnergy() {
        let mask = self.mask
        let swap = noisy(face(tint: SIMD3(0.9, 1.0, 1.1)), amplitude: 0.2, seed: 3)
        let before = detailEnergy(swap, mask)
        let references: [(String, ImageBuffer)] = [
            ("clean", face()),
            ("darker", face(tint: SIMD3(repeating: 0.55))),
            ("brighter", face(tint: SIMD3(repeating: 1.2), shift: SIMD3(repeating: 0.1))),
            ("saturated", face(tint: SIMD3(1.25, 0.8, 0.6))),
            ("contrasty", face(tint: SIMD3(repeating: 2.2), shift: SIMD3(repeating: -0.75))),
            ("noisy plate", noisy(face(), amplitude: 0.3, seed: 4)),
        ]
        for (name, reference) in references {
            let out = ColorTransfer.rct.apply(to: swap, reference: reference, mask: mask)
            let after = detailEnergy(out, mask)
            print("rct noisy swap, \(name) reference: HF energy \(before) -> \(after) (ratio \(after / before))")
            XCTAssertLessThanOrEqual(after, before, "\(name): rct raised the swap's high-frequency energy")
            XCTAssertNotEqual(out, swap, "\(name): the transfer did nothing")
        }
        // Against the clean plate the noise inflates the swap's spread, so the gain sits at its floor
        // and the noise is attenuated (0.5^2 in L*a*b*), not merely not amplified.
        let clean = detailEnergy(ColorTransfer.rct.apply(to: swap, reference: face(), mask: mask), mask)
        XCTAssertLessThan(clean, 0.5 * before)
    }

    /// (a') Where the swap is fine (gain 1) but the plate is much lighter, a pure L*a*b* offset steepens
    /// the way back to sRGB and would raise the detail energy; `rct` must still not.
    func testLighteningOffsetDoesNotRaiseHighFrequencyEnergy() {
        let mask = self.mask
        let swap = noisy(face(tint: SIMD3(repeating: 0.45)), amplitude: 0.003, seed: 7)
        let reference = face(tint: SIMD3(1.3, 1.1, 1.0), shift: SIMD3(repeating: 0.1))
        let before = detailEnergy(swap, mask)
        let core = (0..<n * n).filter { mask[$0] >= 0.5 }
        let lab = { (image: ImageBuffer) in ColorTransfer.pixels(image).map(Lab.fromSRGB) }
        let (s, t) = (lab(swap), lab(reference))
        let median = { (v: [SIMD3<Double>]) in RobustStatistics(core.map { v[$0] }, weights: core.map { Double(mask[$0]) }).median }
        let offset = median(t) - median(s)
        let unguarded = detailEnergy(ColorTransfer.image(s.map { Lab.toSRGB($0 + offset) }, like: swap), mask)
        let after = detailEnergy(ColorTransfer.rct.apply(to: swap, reference: reference, mask: mask), mask)
        print("rct lightening offset: HF energy \(before) -> \(after) (offset alone: \(unguarded))")
        XCTAssertGreaterThan(unguarded, 1.2 * before, "the test needs an offset that raises detail energy")
        XCTAssertLessThanOrEqual(after, before)
        XCTAssertGreaterThan(maskedMean(ColorTransfer.rct.apply(to: swap, reference: reference, mask: mask), mask).x,
                             maskedMean(swap, mask).x + 0.1, "the swap is still lightened")
    }

    /// (b) Only the masked face votes: garbage (NaN, Inf, wild values) in the reference where the mask
    /// is 0 leaves the result bit-identical.
    func testReferenceOutsideTheMaskIsIgnored() {
        let mask = self.mask
        let swap = face(tint: SIMD3(0.9, 1.0, 1.1), shift: SIMD3(0.05, 0, 0))
        let reference = face(tint: SIMD3(repeating: 0.8))
        var garbage = reference
        var rng = SplitMix(seed: 5)
        let planted: [Float] = [.nan, .infinity, -.infinity, 40, -3]
        for c in 0..<3 { for i in 0..<n * n where mask[i] == 0 {
            garbage.planes[c][i] = rng.unit() < 0.1 ? planted[Int(rng.unit() * 5)] : Float(rng.unit())
        } }
        XCTAssertGreaterThan(mask.filter { $0 == 0 }.count, n * n / 3)
        let a = ColorTransfer.rct.apply(to: swap, reference: reference, mask: mask)
        let b = ColorTransfer.rct.apply(to: swap, reference: garbage, mask: mask)
        XCTAssertNotEqual(a, swap)
        XCTAssertEqual(a, b)
    }

    /// (c) A few extreme pixels inside the mask (speculars, dead pixels) barely move the result, where
    /// they move the plain mean and standard deviation a lot.
    func testOutliersInsideTheMaskMoveTheResultSlightly() {
        let mask = self.mask
        let swap = face(tint: SIMD3(0.9, 1.0, 1.1), shift: SIMD3(0.05, 0, 0))
        let reference = face(tint: SIMD3(repeating: 0.8))
        let core = (0..<n * n).filter { mask[$0] >= 0.5 }
        var rng = SplitMix(seed: 6)
        let hit = Set((0..<20).map { _ in core[Int(rng.unit() * Double(core.count))] })
        var spiky = reference, spikySwap = swap
        for (k, i) in hit.enumerated() {
            for c in 0..<3 { spiky.planes[c][i] = k % 2 == 0 ? 1 : 0 }
            for c in 0..<3 { spikySwap.planes[c][i] = k % 3 == 0 ? 0 : 1 }
        }
        let plain = { (image: ImageBuffer) in ColorTransfer.statistics(ColorTransfer.pixels(image).map(Lab.fromSRGB), mask) }
        let (clean, dirty) = (plain(reference), plain(spiky))
        XCTAssertGreaterThan(abs(clean.cov[0][0].squareRoot() - dirty.cov[0][0].squareRoot()), 1.5,
                             "the outliers must move the plain L* standard deviation (in L* units)")
        let a = ColorTransfer.rct.apply(to: swap, reference: reference, mask: mask)
        let b = ColorTransfer.rct.apply(to: spikySwap, reference: spiky, mask: mask)
        let moved = maxDifference(a, b) { !hit.contains($0) }
        print("rct with \(hit.count) outlier pixels: largest change elsewhere \(moved)")
        XCTAssertLessThan(moved, 0.01)
    }

    /// (d) The transfer still does its job: a tinted clean swap of the same face lands on the plate's colour.
    func testColourShiftedSwapIsCorrectedTowardsTheReference() {
        let mask = self.mask
        let reference = face()
        let swap = face(tint: SIMD3(0.95, 1.0, 0.85), shift: SIMD3(0.08, 0.02, -0.03))
        let out = ColorTransfer.rct.apply(to: swap, reference: reference, mask: mask)
        let target = maskedMean(reference, mask)
        let (before, after) = (maskedMean(swap, mask) - target, maskedMean(out, mask) - target)
        print("rct colour shift: mean error \(before) -> \(after)")
        for c in 0..<3 { XCTAssertLessThan(abs(after[c]), 0.01) }
        XCTAssertGreaterThan((before * before).sum().squareRoot(), 0.05, "the test needs a visible shift")
        XCTAssertLessThan((after * after).sum(), 0.05 * (before * before).sum())
    }

    /// (e) NaN and Inf inside the mask (reference or swap) give a finite result in [0, 1] that is still corrected.
    func testNonFiniteValuesGiveAFiniteResult() {
        let mask = self.mask
        var reference = face()
        var swap = face(tint: SIMD3(0.85, 1.0, 1.15), shift: SIMD3(0.06, 0.02, -0.04))
        let centre = (n / 2) * n + n / 2
        for (k, v) in [Float.nan, .infinity, -.infinity, .nan].enumerated() {
            for c in 0..<3 { reference.planes[c][centre + k * 3] = v }
        }
        swap.planes[1][centre + n] = .nan
        swap.planes[2][centre + 2 * n] = .infinity
        let out = ColorTransfer.rct.apply(to: swap, reference: reference, mask: mask)
        for p in out.planes { XCTAssertTrue(p.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }) }
        let clean = ColorTransfer.rct.apply(to: swap, reference: face(), mask: mask)
        XCTAssertLessThan(maxDifference(out, clean) { $0 != centre + n && $0 != centre + 2 * n }, 0.01)
        XCTAssertGreaterThan(maxDifference(out, swap) { $0 != centre + n && $0 != centre + 2 * n }, 0.02)
    }

    /// Nothing sound to measure leaves the swap as it is: a tiny mask, a flat plate, a flat swap,
    /// a reference that is NaN all over the face.
    func testDegenerateInputsLeaveTheSwap() {
        let mask = self.mask
        let swap = face(tint: SIMD3(0.9, 1.0, 1.1))
        var tiny = [Float](repeating: 0, count: n * n)
        for y in 30..<34 { for x in 30..<34 { tiny[y * n + x] = 1 } }
        XCTAssertEqual(ColorTransfer.rct.apply(to: swap, reference: face(), mask: tiny), swap)
        let flat = ImageBuffer(width: n, height: n, channels: ["R", "G", "B"], fill: 0.5)
        XCTAssertEqual(ColorTransfer.rct.apply(to: swap, reference: flat, mask: mask), swap)
        XCTAssertEqual(ColorTransfer.rct.apply(to: flat, reference: face(), mask: mask), flat)
        var lost = face()
        for c in 0..<3 { for i in 0..<n * n where mask[i] > 0 { lost.planes[c][i] = .nan } }
        XCTAssertEqual(ColorTransfer.rct.apply(to: swap, reference: lost, mask: mask), swap)
        XCTAssertNotEqual(ColorTransfer.rct.apply(to: swap, reference: face(), mask: mask), swap)
    }
}
