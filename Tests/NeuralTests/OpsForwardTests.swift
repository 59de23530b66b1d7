import XCTest
@testable import Neural

final class OpsForwardTests: XCTestCase {
    var rng = SeededRandom(seed: 42)

    /// Depth to space against its definition, both channel orders, with a 3x factor and odd sizes.
    func testPixelShuffleMovesEachElementWhereTheDefinitionSays() {
        var rng = SeededRandom(seed: 4)
        for (r, order) in [(2, PixelShuffleOrder.pytorch), (2, .tensorflow), (3, .pytorch), (3, .tensorflow)] {
            let (n, c, h, w) = (2, 3, 3, 5)
            let x = rng.uniformTensor([n, c * r * r, h, w])
            let y = pixelShuffle(x, factor: r, order: order)
            XCTAssertEqual(y.shape, [n, c, h * r, w * r])
            for b in 0..<n { for ch in 0..<c { for oy in 0..<(h * r) { for ox in 0..<(w * r) {
                let (dy, dx) = (oy % r, ox % r)
                let from = order == .pytorch ? ch * r * r + dy * r + dx : (dy * r + dx) * c + ch
                let out = ((b * c + ch) * h * r + oy) * w * r + ox, input = ((b * c * r * r + from) * h + oy / r) * w + ox / r
                XCTAssertEqual(y.data[out], x.data[input], "r \(r) \(order) at \([b, ch, oy, ox])")
            } } } }
        }
    }

    func testLinearOverLastAxis() {
        let x = rng.uniformTensor([2, 3, 5]), w = rng.uniformTensor([4, 5]), b = rng.uniformTensor([4])
        var expected = Tensor.zeros([2, 3, 4])
        for r in 0..<6 { for j in 0..<4 {
            var s = Double(b.data[j])
            for k in 0..<5 { s += Double(x.data[r * 5 + k] * w.data[j * 5 + k]) }
            expected.data[r * 4 + j] = Float(s)
        } }
        assertClose(Linear(weight: w, bias: b).forward(x), expected, tolerance: 1e-6)
    }

    func testGroupNormAndLayerNormStatistics() {
        let x = rng.uniformTensor([2, 6, 3, 3], -2, 5)
        let w = rng.uniformTensor([6]), b = rng.uniformTensor([6])
        let y = GroupNorm(groups: 3, eps: 1e-5, weight: w, bias: b).forward(x)
        for n in 0..<2 { for g in 0..<3 {
            let idx = (0..<18).map { (n * 6 + g * 2) * 9 + $0 }
            let vals = idx.map { Double(x.data[$0]) }
            let mean = vals.reduce(0, +) / 18, variance = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 18
            for i in idx {
                let c = (i / 9) % 6
                let want = (Double(x.data[i]) - mean) / (variance + 1e-5).squareRoot() * Double(w.data[c]) + Double(b.data[c])
                XCTAssertEqual(Double(y.data[i]), want, accuracy: 1e-5)
            }
        } }
        let z = rng.uniformTensor([3, 7], 0, 10), lw = rng.uniformTensor([7]), lb = rng.uniformTensor([7])
        let ln = LayerNorm(eps: 1e-6, weight: lw, bias: lb).forward(z)
        for r in 0..<3 {
            let vals = (0..<7).map { Double(z.data[r * 7 + $0]) }
            let mean = vals.reduce(0, +) / 7, variance = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 7
            for j in 0..<7 {
                XCTAssertEqual(Double(ln.data[r * 7 + j]), (vals[j] - mean) / (variance + 1e-6).squareRoot() * Double(lw.data[j]) + Double(lb.data[j]), accuracy: 1e-5)
            }
        }
    }

    func testActivationsAtKnownPoints() {
        let x = Tensor(shape: [1, 2, 1, 2], data: [-2, 0.5, -1, 3])
        XCTAssertEqual(relu(x).data, [0, 0.5, 0, 3])
        XCTAssertEqual(leakyReLU(x, slope: 0.2).data, [-0.4, 0.5, -0.2, 3])
        XCTAssertEqual(PReLU(alpha: Tensor(shape: [2], data: [0.1, 0.3])).forward(x).data, [-0.2, 0.5, -0.3, 3])
        XCTAssertEqual(PReLU(alpha: .scalar(0.5)).forward(x).data, [-1, 0.5, -0.5, 3])
        for (i, v) in x.data.enumerated() {
            let s = 1 / (1 + Foundation.exp(-Double(v)))
            XCTAssertEqual(Double(sigmoid(x).data[i]), s, accuracy: 1e-6)
            XCTAssertEqual(Double(silu(x).data[i]), Double(v) * s, accuracy: 1e-6)
            XCTAssertEqual(Double(Neural.tanh(x).data[i]), Foundation.tanh(Double(v)), accuracy: 1e-6)
        }
    }

    func testSoftmaxAlongMiddleAxisAndLargeLogits() {
        let x = rng.uniformTensor([2, 3, 4], -3, 3)
        let y = softmax(x, axis: 1)
        for o in 0..<2 { for i in 0..<4 {
            let want = Reference.softmax((0..<3).map { Double(x.data[o * 12 + $0 * 4 + i]) })
            for k in 0..<3 { XCTAssertEqual(Double(y.data[o * 12 + k * 4 + i]), want[k], accuracy: 1e-6) }
        } }
        XCTAssertEqual(softmax(Tensor(shape: [2], data: [1000, 1000]), axis: 0).data, [0.5, 0.5])
    }

    func testUpsampleAndPixelShuffleOrders() {
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        XCTAssertEqual(upsampleNearest(x, scale: 2).data, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        // 8 channels of 1x1, r=2 -> 2 channels of 2x2.
        let d = Tensor(shape: [1, 8, 1, 1], data: (0..<8).map(Float.init))
        XCTAssertEqual(pixelShuffle(d, factor: 2).data, [0, 1, 2, 3, 4, 5, 6, 7])      // c*4 + dy*2 + dx
        XCTAssertEqual(pixelShuffle(d, factor: 2, order: .tensorflow).data, [0, 2, 4, 6, 1, 3, 5, 7])  // (dy*2+dx)*2 + c
        let e = rng.uniformTensor([2, 4, 3, 2])
        let s = pixelShuffle(e, factor: 2)
        XCTAssertEqual(s.shape, [2, 1, 6, 4])
        XCTAssertEqual(s.data[1 * 24 + 3 * 4 + 1], e.data[((1 * 4 + 3) * 3 + 1) * 2 + 0])  // oy=3 -> y1 dy1; ox=1 -> x0 dx1
    }

    func testPoolingWithCeilModeAndPadding() {
        // 1x1x5x5 of 0..24; kernel 2 stride 2 ceil: 3x3 output, the last row/column windows are clipped.
        let x = Tensor(shape: [1, 1, 5, 5], data: (0..<25).map(Float.init))
        XCTAssertEqual(maxPool2d(x, kernel: 2, stride: 2, ceilMode: true).data, [6, 8, 9, 16, 18, 19, 21, 23, 24])
        XCTAssertEqual(maxPool2d(x, kernel: 2, stride: 2).data, [6, 8, 16, 18])
        // MTCNN's MaxPool2d(3, 2, ceil_mode=True) on 5x5 -> 2x2.
        XCTAssertEqual(maxPool2d(x, kernel: 3, stride: 2, ceilMode: true).data, [12, 14, 22, 24])
        // PyTorch: avg_pool2d(x, 2, 2, ceil_mode=True): clipped windows divide by the in-bounds size.
        XCTAssertEqual(avgPool2d(x, kernel: 2, stride: 2, ceilMode: true).data, [3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24])
        // padding 1, count_include_pad: the corner window of 3x3 holds 0,1,5,6 and divides by 9.
        let p = avgPool2d(x, kernel: 3, stride: 2, padding: 1)
        XCTAssertEqual(p.shape, [1, 1, 3, 3])
        XCTAssertEqual(p.data[0], 12 / 9, accuracy: 1e-6)
        XCTAssertEqual(avgPool2d(x, kernel: 3, stride: 2, padding: 1, countIncludePad: false).data[0], 3, accuracy: 1e-6)
        XCTAssertEqual(maxPool2d(Tensor(shape: [1, 1, 2, 2], data: [-5, -3, -4, -6]), kernel: 3, stride: 1, padding: 1).data, [-3, -3, -3, -3])
    }

    func testAttentionMatchesNaiveIncludingBlockedRows() {
        for (l, s) in [(5, 7), (1100, 4000)] {
            let q = rng.uniformTensor([2, l, 3]), k = rng.uniformTensor([2, s, 3]), v = rng.uniformTensor([2, s, 2])
            let y = scaledDotProductAttention(q, k, v)
            for b in 0..<2 { for i in [0, l / 2, l - 1] {
                var scores = [Double](repeating: 0, count: s)
                for j in 0..<s {
                    for d in 0..<3 { scores[j] += Double(q.data[(b * l + i) * 3 + d]) * Double(k.data[(b * s + j) * 3 + d]) }
                    scores[j] /= Double(3).squareRoot()
                }
                let p = Reference.softmax(scores)
                for c in 0..<2 {
                    var want = 0.0
                    for j in 0..<s { want += p[j] * Double(v.data[(b * s + j) * 2 + c]) }
                    XCTAssertEqual(Double(y.data[(b * l + i) * 2 + c]), want, accuracy: 1e-5)
                }
            } }
        }
    }

    func testElementwiseBroadcastConcatSliceReshape() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(add(a, Tensor(shape: [3], data: [10, 20, 30])).data, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual(mul(a, Tensor(shape: [2, 1], data: [2, -1])).data, [2, 4, 6, -4, -5, -6])
        XCTAssertEqual(sub(a, a).data, [0, 0, 0, 0, 0, 0])
        let c = concat([a, Tensor(shape: [2, 1], data: [7, 8])], axis: 1)
        XCTAssertEqual(c, Tensor(shape: [2, 4], data: [1, 2, 3, 7, 4, 5, 6, 8]))
        XCTAssertEqual(slice(c, axis: 1, 1..<3), Tensor(shape: [2, 2], data: [2, 3, 5, 6]))
        XCTAssertEqual(concat([a, a], axis: 0).shape, [4, 3])
        XCTAssertEqual(a.reshaped([3, -1]).shape, [3, 2])
        XCTAssertEqual(a.transposedLastTwo(), Tensor(shape: [3, 2], data: [1, 4, 2, 5, 3, 6]))
    }
}
