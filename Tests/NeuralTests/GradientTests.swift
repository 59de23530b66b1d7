import XCTest
@testable import Neural

final class GradientTests: XCTestCase {
    var rng = SeededRandom(seed: 7)

    func conv(_ o: Int, _ cg: Int, _ kh: Int, _ kw: Int, stride: Int = 1, pad: Padding = .zero, dilation: Int = 1, groups: Int = 1, bias: Bool = true) -> Conv2d {
        Conv2d(weight: rng.uniformTensor([o, cg, kh, kw]), bias: bias ? rng.uniformTensor([o]) : nil,
               stride: stride, padding: pad, dilation: dilation, groups: groups)
    }

    func checkConv(_ layer: Conv2d, input: [Int], file: StaticString = #filePath, line: UInt = #line) {
        gradCheck([rng.uniformTensor(input)], params: [layer.weight] + (layer.bias.map { [$0] } ?? []), file: file, line: line) { layer.forward($0[0]) }
    }

    func testConvolutionGradients() {
        checkConv(conv(4, 3, 3, 3, pad: Padding(1)), input: [2, 3, 5, 4])                                   // GEMM forward
        checkConv(conv(10, 2, 3, 3, stride: 2, pad: Padding(1)), input: [1, 2, 7, 6])                      // stride 2, odd size
        checkConv(conv(9, 1, 3, 3, stride: 2, pad: Padding(top: 0, left: 0, bottom: 1, right: 1)), input: [1, 1, 6, 5]) // diffusers downsample
        checkConv(conv(6, 2, 3, 2, pad: Padding(top: 1, left: 0, bottom: 2, right: 1), groups: 2), input: [1, 4, 4, 5])
        checkConv(conv(3, 1, 3, 3, stride: 2, pad: Padding(1), groups: 3), input: [2, 3, 5, 5])            // depthwise, direct
        checkConv(conv(2, 4, 3, 3, pad: Padding(2), dilation: 2), input: [1, 4, 5, 5])                     // thin, dilated
        checkConv(conv(12, 5, 1, 1, bias: false), input: [2, 5, 3, 3])                                      // pointwise
    }

    func testLinearAndNormalizationGradients() {
        let linear = Linear(weight: rng.uniformTensor([3, 4]), bias: rng.uniformTensor([3]))
        gradCheck([rng.uniformTensor([2, 2, 4])], params: [linear.weight, linear.bias!]) { linear.forward($0[0]) }
        let gn = GroupNorm(groups: 2, eps: 1e-5, weight: rng.uniformTensor([4]), bias: rng.uniformTensor([4]))
        gradCheck([rng.uniformTensor([2, 4, 3, 1], -2, 2)], params: [gn.weight!, gn.bias!], eps: 1e-3, tolerance: 5e-3) { gn.forward($0[0]) }
        let ln = LayerNorm(eps: 1e-5, weight: rng.uniformTensor([5]), bias: rng.uniformTensor([5]))
        gradCheck([rng.uniformTensor([3, 5], -2, 2)], params: [ln.weight!, ln.bias!], eps: 1e-3, tolerance: 5e-3) { ln.forward($0[0]) }
    }

    func testActivationGradients() {
        let x = awayFromZero(rng.uniformTensor([2, 3, 2, 3], -2, 2))
        gradCheck([x]) { relu($0[0]) }
        gradCheck([x]) { leakyReLU($0[0], slope: 0.2) }
        gradCheck([x]) { silu($0[0]) }
        gradCheck([x]) { Neural.tanh($0[0]) }
        gradCheck([x]) { sigmoid($0[0]) }
        let prelu = PReLU(alpha: rng.uniformTensor([3], 0, 0.5))
        gradCheck([x], params: [prelu.alpha]) { prelu.forward($0[0]) }
        gradCheck([rng.uniformTensor([2, 3, 4], -2, 2)]) { softmax($0[0], axis: 1) }
        gradCheck([rng.uniformTensor([3, 5], -2, 2)]) { softmax($0[0], axis: 1) }
    }

    func testResamplingAndPoolingGradients() {
        gradCheck([rng.uniformTensor([1, 2, 3, 2])]) { upsampleNearest($0[0], scale: 2) }
        gradCheck([rng.uniformTensor([2, 8, 2, 3])]) { pixelShuffle($0[0], factor: 2) }
        gradCheck([rng.uniformTensor([1, 8, 2, 2])]) { pixelShuffle($0[0], factor: 2, order: .tensorflow) }
        // Distinct values at least 0.05 apart, so +-eps never changes which one is the maximum.
        var values = (0..<(2 * 7 * 7)).map { Float($0) * 0.05 }
        values.shuffle(using: &rng)
        let x = Tensor(shape: [1, 2, 7, 7], data: values)
        gradCheck([x], eps: 1e-3) { maxPool2d($0[0], kernel: 3, stride: 2, ceilMode: true) }     // MTCNN pooling, clipped windows
        gradCheck([x], eps: 1e-3) { maxPool2d($0[0], kernel: 2, stride: 2, padding: 1) }
        gradCheck([x]) { avgPool2d($0[0], kernel: 2, stride: 2, ceilMode: true) }
        gradCheck([x]) { avgPool2d($0[0], kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false) }
    }

    func testAttentionGradients() {
        gradCheck([rng.uniformTensor([2, 3, 4]), rng.uniformTensor([2, 5, 4]), rng.uniformTensor([2, 5, 3])]) {
            scaledDotProductAttention($0[0], $0[1], $0[2])
        }
    }

    func testElementwiseShapeAndLossGradients() {
        let a = rng.uniformTensor([2, 3, 2]), b = rng.uniformTensor([3, 1])
        gradCheck([a, b]) { add($0[0], $0[1]) }
        gradCheck([a, b]) { sub($0[0], $0[1]) }
        gradCheck([a, b]) { mul($0[0], $0[1]) }
        gradCheck([a, a.map { $0 * 2 }]) { mul($0[0], $0[1]) }
        gradCheck([a, rng.uniformTensor([2, 1, 2])]) { concat([$0[0], $0[1], $0[0]], axis: 1) }
        gradCheck([a]) { slice($0[0], axis: 1, 1..<3) }
        gradCheck([a]) { reshape(transposeLastTwo($0[0]), [3, 4]) }
        gradCheck([a]) { addScalar(scale($0[0], 3), 1) }
        gradCheck([a, rng.uniformTensor([2, 3, 2])]) { mseLoss($0[0], $0[1]) }
        gradCheck([a, a.map { $0 + 0.5 }]) { l1Loss($0[0], $0[1]) }
        gradCheck([a]) { mean($0[0]) }
    }

    func testGradientsAccumulateOverReusedValuesAndParameters() {
        let layer = Conv2d(weight: rng.uniformTensor([2, 2, 1, 1]), bias: nil)
        // The same layer twice and a value used by two branches: gradients must add up.
        gradCheck([rng.uniformTensor([1, 2, 2, 2])], params: [layer.weight]) { v in
            let h = layer.forward(v[0])
            return add(layer.forward(h), mul(h, v[0]))
        }
    }

    func testInferenceRecordsNothingAndMatchesTapeForward() {
        let layer = conv(5, 3, 3, 3, stride: 2, pad: Padding(1))
        let x = rng.uniformTensor([1, 3, 6, 6])
        let tape = Tape()
        let y = layer.forward(tape.variable(x))
        XCTAssertEqual(layer.forward(x), y.value)
        XCTAssertEqual(tape.values.count, 4)  // input, weight, bias, output: nothing else is kept
    }
}
