import XCTest
@testable import Neural

/// Finite-difference checks of every op with a backward on the shapes that break index
/// arithmetic: 1x1 images, kernels larger than the input, batch > 1 with odd sizes, first and
/// last axes, broadcasting from both sides, single keys, one group per channel, rank-2 inputs.
final class GradientEdgeShapeTests: XCTestCase {
    var rng = SeededRandom(seed: 11)

    func conv(_ o: Int, _ cg: Int, _ kh: Int, _ kw: Int, stride: Int = 1, pad: Padding = .zero, dilation: Int = 1,
              groups: Int = 1, bias: Bool = true) -> Conv2d {
        Conv2d(weight: rng.uniformTensor([o, cg, kh, kw]), bias: bias ? rng.uniformTensor([o]) : nil,
               stride: stride, padding: pad, dilation: dilation, groups: groups)
    }

    func checkConv(_ layer: Conv2d, input: [Int], algorithms: [ConvAlgorithm] = [.gemm, .direct],
                   file: StaticString = #filePath, line: UInt = #line) {
        // Both kernels: the automatic choice would test only one of them per shape.
        for algorithm in algorithms {
            layer.algorithm = algorithm
            gradCheck([rng.uniformTensor(input)], params: [layer.weight] + (layer.bias.map { [$0] } ?? []),
                      file: file, line: line) { layer.forward($0[0]) }
        }
    }

    func testConvolutionEdgeShapes() {
        checkConv(conv(2, 3, 3, 3, pad: Padding(1)), input: [1, 3, 1, 1])                                 // 1x1 image, 3x3 kernel
        checkConv(conv(2, 2, 5, 3, pad: Padding(top: 2, left: 1, bottom: 2, right: 1)), input: [1, 2, 2, 1]) // kernel larger than input
        checkConv(conv(3, 2, 2, 2, stride: 3), input: [3, 2, 5, 7])                                       // stride > kernel skips pixels, batch 3
        checkConv(conv(4, 1, 3, 1, stride: 2, pad: Padding(top: 1, left: 0, bottom: 0, right: 0), groups: 4), input: [2, 4, 6, 1]) // depthwise, width 1
        checkConv(conv(4, 3, 1, 3, pad: Padding(top: 0, left: 3, bottom: 0, right: 3), dilation: 3, groups: 2, bias: false), input: [1, 6, 2, 4]) // wide dilation past both edges
        checkConv(conv(1, 5, 3, 3, pad: Padding(1)), input: [2, 5, 3, 2])                                 // one output channel
    }

    /// oneDNN's forward and gradient primitives (the engine of wide layers on a tape) on ordinary
    /// and edge shapes: strided, asymmetric padding, pointwise, grouped, dilated, 1x1 image.
    func testOneDNNConvolutionGradients() {
        let cases: [(Conv2d, [Int])] = [
            (conv(16, 3, 3, 3, pad: Padding(1)), [2, 3, 5, 4]),
            (conv(16, 4, 3, 3, stride: 2, pad: Padding(top: 0, left: 0, bottom: 1, right: 1)), [1, 4, 7, 6]),
            (conv(12, 5, 1, 1, bias: false), [2, 5, 3, 3]),
            (conv(6, 2, 3, 2, pad: Padding(top: 1, left: 0, bottom: 2, right: 1), groups: 2), [1, 4, 4, 5]),
            (conv(4, 3, 1, 3, pad: Padding(top: 0, left: 3, bottom: 0, right: 3), dilation: 3, groups: 2, bias: false), [1, 6, 2, 4]),
            (conv(2, 3, 3, 3, pad: Padding(1)), [1, 3, 1, 1]),
            (conv(3, 2, 2, 2, stride: 3), [3, 2, 5, 7]),
        ]
        for (i, (layer, input)) in cases.enumerated() {
            XCTAssertNotNil(layer.oneDNNImplementation(input: input), "case \(i): no oneDNN forward")
            XCTAssertNotNil(layer.oneDNNBackwardImplementation(input: input, hasBias: layer.bias != nil), "case \(i): no oneDNN backward")
            checkConv(layer, input: input, algorithms: [.onednn])
        }
    }

    func testLinearAndNormalizationEdgeShapes() {
        let noBias = Linear(weight: rng.uniformTensor([2, 3]), bias: nil)
        gradCheck([rng.uniformTensor([1, 3])], params: [noBias.weight]) { noBias.forward($0[0]) }          // one row, no bias
        let wide = Linear(weight: rng.uniformTensor([1, 7]), bias: rng.uniformTensor([1]))
        gradCheck([rng.uniformTensor([2, 3, 2, 7])], params: [wide.weight, wide.bias!]) { wide.forward($0[0]) } // rank 4, one output
        // One group (LayerNorm over C,H,W) and one group per channel (instance norm), spatial 1x1 included.
        // Two values per group (the 1x1 case) make the output +-1 and its slope 1/|x1 - x2|: a
        // sharply curved function, so the finite difference needs a smaller step there.
        for (groups, shape, step) in [(1, [2, 3, 2, 2], Float(1e-3)), (4, [2, 4, 2, 3], 1e-3), (2, [3, 4, 1, 1], 2e-4)] {
            let c = shape[1]
            let gn = GroupNorm(groups: groups, eps: 1e-5, weight: rng.uniformTensor([c]), bias: rng.uniformTensor([c]))
            gradCheck([rng.uniformTensor(shape, -2, 2)], params: [gn.weight!, gn.bias!], eps: step, tolerance: 5e-3) { gn.forward($0[0]) }
        }
        let plain = GroupNorm(groups: 2, eps: 1e-5, weight: nil, bias: nil)
        gradCheck([rng.uniformTensor([1, 4, 3, 2], 5, 7)], eps: 1e-3, tolerance: 5e-3) { plain.forward($0[0]) } // large mean, no affine
        let ln = LayerNorm(eps: 1e-5, weight: rng.uniformTensor([2]), bias: nil)
        gradCheck([rng.uniformTensor([2, 3, 2], -2, 2)], params: [ln.weight!], eps: 1e-3, tolerance: 5e-3) { ln.forward($0[0]) } // rank 3, 2 features
    }

    func testActivationAndSoftmaxEdgeShapes() {
        let x = awayFromZero(rng.uniformTensor([3, 1, 1, 2], -3, 3))
        let shared = PReLU(alpha: rng.uniformTensor([1], 0, 0.5))                                         // one alpha for all channels
        gradCheck([x], params: [shared.alpha]) { shared.forward($0[0]) }
        gradCheck([x]) { leakyReLU($0[0], slope: -0.5) }
        gradCheck([rng.uniformTensor([4, 2], -6, 6)]) { sigmoid($0[0]) }                                 // saturated tails
        gradCheck([rng.uniformTensor([4, 2], -6, 6)]) { Neural.tanh($0[0]) }
        gradCheck([rng.uniformTensor([4, 2, 3], -2, 2)]) { softmax($0[0], axis: 0) }                      // first axis
        gradCheck([rng.uniformTensor([2, 3, 1], -2, 2)]) { softmax($0[0], axis: 2) }                      // axis of length 1
        gradCheck([rng.uniformTensor([1, 6], -2, 2).map { $0 + 50 }]) { softmax($0[0], axis: 1) }         // large logits
    }

    func testResamplingAndPoolingEdgeShapes() {
        gradCheck([rng.uniformTensor([2, 1, 1, 3])]) { upsampleNearest($0[0], scale: 3) }
        gradCheck([rng.uniformTensor([1, 18, 1, 2])]) { pixelShuffle($0[0], factor: 3) }
        gradCheck([rng.uniformTensor([2, 9, 2, 1])]) { pixelShuffle($0[0], factor: 3, order: .tensorflow) }
        var values = (0..<(2 * 2 * 5 * 3)).map { Float($0) * 0.05 }
        values.shuffle(using: &rng)
        let x = Tensor(shape: [2, 2, 5, 3], data: values)
        gradCheck([x], eps: 1e-3) { maxPool2d($0[0], kernel: 3, stride: 3, ceilMode: true) }               // last window has 2x0-wide parts
        gradCheck([x], eps: 1e-3) { maxPool2d($0[0], kernel: 1) }                                         // identity
        gradCheck([x], eps: 1e-3) { maxPool2d($0[0], kernel: 5, stride: 1, padding: 2) }                  // windows span the whole width
        gradCheck([x]) { avgPool2d($0[0], kernel: 3, stride: 3, ceilMode: true) }
        gradCheck([x]) { avgPool2d($0[0], kernel: 3, stride: 1, padding: 1, countIncludePad: true) }
        gradCheck([rng.uniformTensor([1, 1, 1, 1])]) { avgPool2d($0[0], kernel: 1) }
    }

    func testAttentionEdgeShapes() {
        gradCheck([rng.uniformTensor([1, 4, 2]), rng.uniformTensor([1, 1, 2]), rng.uniformTensor([1, 1, 5])]) {
            scaledDotProductAttention($0[0], $0[1], $0[2])                                               // a single key
        }
        gradCheck([rng.uniformTensor([3, 1, 3]), rng.uniformTensor([3, 4, 3]), rng.uniformTensor([3, 4, 1])]) {
            scaledDotProductAttention($0[0], $0[1], $0[2], scale: 2)                                     // one query, Dv 1, explicit scale
        }
        let q = rng.uniformTensor([1, 70, 2]), k = rng.uniformTensor([1, 3, 2]), v = rng.uniformTensor([1, 3, 2])
        gradCheck([q, k, v]) { scaledDotProductAttention($0[0], $0[1], $0[2]) }                           // more queries than one block of rows
    }

    func testElementwiseAndShapeEdgeShapes() {
        let a = rng.uniformTensor([2, 1, 3]), b = rng.uniformTensor([1])
        gradCheck([a, b]) { add($0[0], $0[1]) }                                                           // scalar broadcast
        gradCheck([a, rng.uniformTensor([1, 3])]) { mul($0[0], $0[1]) }                                   // leading axes broadcast
        gradCheck([a, rng.uniformTensor([2, 1, 1])]) { sub($0[0], $0[1]) }                                // broadcast on the last axes
        gradCheck([a, rng.uniformTensor([1, 1, 3])]) { concat([$0[0], $0[1]], axis: 0) }                  // first axis
        gradCheck([a, rng.uniformTensor([2, 1, 1])]) { concat([$0[1], $0[0]], axis: 2) }                  // last axis
        gradCheck([a]) { slice($0[0], axis: 2, 2..<3) }
        gradCheck([a]) { reshape($0[0], [-1]) }
        gradCheck([rng.uniformTensor([1])]) { mean($0[0]) }
    }
}
