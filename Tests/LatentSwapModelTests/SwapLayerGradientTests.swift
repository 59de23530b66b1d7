import XCTest
@testable import LatentSwapModel

/// Each layer's backward against finite differences of a random linear functional of its output.
final class SwapLayerGradientTests: XCTestCase {
    func check(_ layer: SwapLayer, input: SwapTensor, file: StaticString = #filePath, line: UInt = #line) {
        let out = layer.forward(input)
        var random = SwapRandom(seed: 5)
        let probe = SwapTensor(n: out.n, c: out.c, h: out.h, w: out.w, data: (0..<out.count).map { _ in random.normal() })
        func value(_ x: SwapTensor) -> Double {
            let y = layer.forward(x)
            return zip(y.data, probe.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        layer.parameters.forEach { $0.zeroGrad() }
        _ = layer.forward(input)
        let dx = layer.backward(probe)
        let eps: Float = 1e-2
        for i in stride(from: 0, to: input.count, by: max(1, input.count / 40)) {
            var plus = input, minus = input
            plus.data[i] += eps; minus.data[i] -= eps
            let numeric = (value(plus) - value(minus)) / Double(2 * eps)
            XCTAssertEqual(Double(dx.data[i]), numeric, accuracy: 2e-3 * max(1, abs(numeric)), "input[\(i)]", file: file, line: line)
        }
        for p in layer.parameters {
            for i in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 20)) {
                let original = p.value[i]
                p.value[i] = original + eps
                let a = value(input)
                p.value[i] = original - eps
                let b = value(input)
                p.value[i] = original
                let numeric = (a - b) / Double(2 * eps)
                XCTAssertEqual(Double(p.grad[i]), numeric, accuracy: 2e-3 * max(1, abs(numeric)), "\(p.name)[\(i)]", file: file, line: line)
            }
        }
    }

    func testConvStride1() {
        var r = SwapRandom(seed: 1)
        check(SwapConv2d(name: "c", in: 3, out: 5, random: &r), input: SwapFixtures.tensor(2, 3, 6, 5, seed: 2))
    }

    func testConvStride2() {
        var r = SwapRandom(seed: 1)
        check(SwapConv2d(name: "c", in: 3, out: 4, stride: 2, random: &r), input: SwapFixtures.tensor(2, 3, 8, 8, seed: 2))
    }

    func testConv1x1() {
        var r = SwapRandom(seed: 1)
        check(SwapConv2d(name: "c", in: 3, out: 4, kernel: 1, random: &r), input: SwapFixtures.tensor(2, 3, 4, 4, seed: 2))
    }

    func testPixelShuffle() { check(SwapPixelShuffle(), input: SwapFixtures.tensor(2, 8, 3, 4, seed: 3)) }

    func testPixelShuffleLayout() {
        // Channel c*4 + dy*2 + dx lands at (2y + dy, 2x + dx).
        let x = SwapTensor(n: 1, c: 4, h: 1, w: 1, data: [1, 2, 3, 4])
        XCTAssertEqual(SwapPixelShuffle().forward(x).data, [1, 2, 3, 4])
        let y = SwapPixelShuffle().forward(SwapTensor(n: 1, c: 4, h: 1, w: 2, data: [1, 5, 2, 6, 3, 7, 4, 8]))
        XCTAssertEqual(y.data, [1, 2, 5, 6, 3, 4, 7, 8])
    }

    func testLeakyReLU() {
        // Keep inputs away from the kink at 0, where finite differences straddle two slopes.
        var x = SwapFixtures.tensor(1, 2, 5, 5, seed: 4)
        for i in 0..<x.count where abs(x.data[i]) < 0.05 { x.data[i] = 0.3 }
        check(SwapLeakyReLU(), input: x)
    }

    func testResidualBlock() {
        var r = SwapRandom(seed: 1)
        check(SwapResidualBlock(name: "r", channels: 3, random: &r), input: SwapFixtures.tensor(2, 3, 4, 4, seed: 6))
    }
}
