import XCTest
@testable import Neural

final class ConvTests: XCTestCase {
    struct Case {
        var n = 1
        var c: Int
        var h: Int
        var w: Int
        var o: Int
        var k: Int
        var kw: Int? = nil
        var stride = 1
        var pad = Padding(0)
        var dilation = 1
        var groups = 1
        var bias = true
    }

    func check(_ t: Case, seed: UInt64, algorithm: ConvAlgorithm = .automatic, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRandom(seed: seed)
        let x = rng.uniformTensor([t.n, t.c, t.h, t.w])
        let w = rng.uniformTensor([t.o, t.c / t.groups, t.k, t.kw ?? t.k])
        let b = t.bias ? rng.uniformTensor([t.o]) : nil
        let conv = Conv2d(weight: w, bias: b, stride: t.stride, padding: t.pad, dilation: t.dilation, groups: t.groups)
        conv.algorithm = algorithm
        if algorithm == .onednn {
            XCTAssertNotNil(conv.oneDNNImplementation(input: x.shape), "oneDNN has no primitive for \(t)", file: file, line: line)
        }
        let expected = Reference.conv2d(x, w, b, stride: t.stride, pad: t.pad, dilation: t.dilation, groups: t.groups)
        assertClose(conv.forward(x), expected, tolerance: 1e-5, "\(t)", file: file, line: line)
    }

    static let shapes: [Case] = [
        Case(n: 2, c: 5, h: 9, w: 7, o: 12, k: 3, pad: Padding(1)),
        Case(c: 4, h: 11, w: 10, o: 16, k: 3, stride: 2, pad: Padding(1)),
        Case(c: 3, h: 8, w: 9, o: 10, k: 3, stride: 2, pad: Padding(top: 0, left: 0, bottom: 1, right: 1)),
        Case(c: 6, h: 7, w: 7, o: 12, k: 1, bias: false),
        Case(n: 2, c: 8, h: 6, w: 5, o: 18, k: 3, pad: Padding(1), groups: 2),
        Case(c: 4, h: 12, w: 12, o: 10, k: 3, pad: Padding(2), dilation: 2),
        Case(c: 3, h: 10, w: 13, o: 9, k: 2, kw: 4, stride: 3, pad: Padding(top: 1, left: 2, bottom: 0, right: 3)),
        Case(n: 3, c: 64, h: 19, w: 17, o: 64, k: 3, pad: Padding(1)),
        Case(c: 32, h: 16, w: 16, o: 48, k: 3, stride: 2, pad: Padding(top: 0, left: 0, bottom: 1, right: 1)),
    ]

    func testGemmPathMatchesNaiveLoops() {
        for (i, shape) in Self.shapes.enumerated() { check(shape, seed: UInt64(i + 1), algorithm: .gemm) }
    }

    /// oneDNN (with the NCHW reorders around it) on the same shapes, grouped, dilated, strided and
    /// asymmetric ones included, and the automatic choice.
    func testOneDNNPathMatchesNaiveLoops() {
        for (i, shape) in Self.shapes.enumerated() {
            check(shape, seed: UInt64(i + 1), algorithm: .onednn)
            check(shape, seed: UInt64(i + 1))
        }
    }

    /// The cached primitive follows new weights (an optimizer step) and new input shapes.
    func testOneDNNPrimitiveFollowsWeightAndShapeChanges() {
        var rng = SeededRandom(seed: 41)
        let conv = Conv2d(weight: rng.uniformTensor([24, 16, 3, 3]), bias: rng.uniformTensor([24]), padding: 1)
        XCTAssertEqual(conv.automaticAlgorithm(input: [1, 16, 8, 8]), .onednn)
        for size in [8, 8, 12] {
            let x = rng.uniformTensor([1, 16, size, size])
            assertClose(conv.forward(x), Reference.conv2d(x, conv.weight.value, conv.bias?.value, stride: 1, pad: Padding(1), groups: 1),
                        tolerance: 1e-5, "size \(size)")
            conv.weight.value.data[5] += 0.5               // in place, as an optimizer updates it
            conv.bias!.value.data[0] -= 0.25
        }
    }

    func testDirectPathForThinAndDepthwiseLayers() {
        check(Case(c: 16, h: 9, w: 11, o: 3, k: 3, pad: Padding(1)), seed: 11)          // 64->3 style output layer
        check(Case(n: 2, c: 6, h: 8, w: 8, o: 6, k: 3, stride: 2, pad: Padding(top: 0, left: 0, bottom: 1, right: 1), groups: 6)) // depthwise, TF SAME s2
        check(Case(c: 4, h: 7, w: 300, o: 8, k: 5, pad: Padding(2), groups: 4), seed: 13) // spans two 256-wide tiles
        check(Case(c: 3, h: 6, w: 6, o: 1, k: 1, bias: false), seed: 14)
        check(Case(c: 5, h: 9, w: 9, o: 4, k: 3, pad: Padding(1), dilation: 2), seed: 15)
    }

    func testTiledUnfoldOverManyRowBandsMatchesNaive() {
        // 64 channels x 3x3 x 128 columns: about 56 output rows per band, so three bands.
        check(Case(c: 64, h: 130, w: 128, o: 10, k: 3, pad: Padding(1)), seed: 21)
    }

    func testDirectAndGemmAlgorithmsAgreeOnWideThinLayers() {
        var rng = SeededRandom(seed: 31)
        // Output channels 1, 3, 5 (odd: pair kernel plus a single), widths giving odd and even block counts.
        for (o, width, stride) in [(3, 200, 1), (5, 97, 1), (1, 161, 1), (3, 70, 2)] {
            let conv = Conv2d(weight: rng.uniformTensor([o, 16, 3, 3]), bias: rng.uniformTensor([o]), stride: stride, padding: 1)
            let x = rng.uniformTensor([2, 16, 5, width])
            conv.algorithm = .direct
            let direct = conv.forward(x)
            conv.algorithm = .gemm
            assertClose(direct, conv.forward(x), tolerance: 1e-5, "o \(o) width \(width) stride \(stride)")
        }
    }

    func testSamePaddingHelper() {
        XCTAssertEqual(Padding.same(height: 8, width: 9, kernel: 3, stride: 2), Padding(top: 0, left: 1, bottom: 1, right: 1))
        XCTAssertEqual(Padding.same(height: 5, width: 5, kernel: 3, stride: 1), Padding(1))
    }
}

private extension ConvTests {
    func check(_ t: Case) { check(t, seed: 12) }
}
