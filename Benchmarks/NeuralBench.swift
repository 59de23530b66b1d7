// Suite `neural`: sgemm peak, conv2d GFLOP/s on the TAEF2 layer shapes as a ratio to that peak,
// and training steps per second of a small conv autoencoder on TAEF2-sized latents.
import Foundation
import Neural

enum NeuralBenchmark {
/// Best wall time of `repeats` runs after one warm-up, in seconds.
static func bestTime(repeats: Int, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}

static func run() {
    var rng = SeededRandom(seed: 1)
    let n = 1024
    let a = rng.uniformTensor([n, n]), b = rng.uniformTensor([n, n])
    var c = Tensor.zeros([n, n])
    func gemm(parallel: Bool) {
        a.data.withUnsafeBufferPointer { ap in b.data.withUnsafeBufferPointer { bp in c.data.withUnsafeMutableBufferPointer { cp in
            sgemm(m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n, parallel: parallel)
        } } }
    }
    let gemmFlops = 2 * Double(n * n * n)
    // The peak: OpenBLAS's own threading over all cores on one 1024^3 product.
    let peak = gemmFlops / withOpenBLASThreads(ProcessInfo.processInfo.activeProcessorCount) { bestTime(repeats: 5) { gemm(parallel: false) } } / 1e9
    let ours = gemmFlops / bestTime(repeats: 5) { gemm(parallel: true) } / 1e9
    print("neural: \(NeuralLibrary.blasConfig)")
    print(String(format: "neural: sgemm 1024^3, OpenBLAS threads: %.1f GFLOP/s (the peak below); split over our workers: %.1f GFLOP/s (%.2f)",
                 peak, ours, ours / peak))

    // The machine is shared, so each conv is timed alternately with the peak sgemm (OpenBLAS
    // threads) and its ratio comes from that pair: both see the same load.
    func peakNow() -> Double {
        gemmFlops / withOpenBLASThreads(ProcessInfo.processInfo.activeProcessorCount) { bestTime(repeats: 2) { gemm(parallel: false) } } / 1e9
    }
    print("| conv (TAEF2 layer) | input | algorithm | ms | GFLOP/s | sgemm peak alongside | ratio |")
    print("|---|---|---|---|---|---|---|")
    let shapes: [(String, Int, Int, Int)] = [
        ("64->64 3x3", 64, 64, 256), ("64->64 3x3", 64, 64, 128), ("64->64 3x3", 64, 64, 64), ("64->64 3x3", 64, 64, 32),
        ("3->64 3x3 (enc in)", 3, 64, 256), ("64->3 3x3 (dec out)", 64, 3, 256), ("64->32 3x3 (enc out)", 64, 32, 32),
        ("32->64 3x3 (dec in)", 32, 64, 32),
    ]
    for (label, cin, cout, size) in shapes {
        let conv = Conv2d(weight: rng.uniformTensor([cout, cin, 3, 3]), bias: rng.uniformTensor([cout]), padding: 1)
        let x = rng.uniformTensor([1, cin, size, size])
        let flops = conv.flops(input: x.shape)
        // Every engine that can run the shape; "automatic" marks the one inference picks.
        let algorithms: [ConvAlgorithm] = cout <= 8 ? [.direct, .gemm] : [.gemm, .onednn]
        for algorithm in algorithms {
            conv.algorithm = algorithm
            let repeats = max(2, min(20, Int(5e9 / flops)))
            var t = Double.infinity, localPeak = 0.0
            for _ in 0..<3 {
                localPeak = max(localPeak, peakNow())
                t = min(t, bestTime(repeats: repeats) { _ = conv.forward(x) })
            }
            let gflops = flops / t / 1e9
            var name = algorithm == .onednn ? "oneDNN \(conv.oneDNNImplementation(input: x.shape) ?? "unavailable")" : "\(algorithm)"
            if algorithm == conv.automaticAlgorithm(input: x.shape) { name += " (automatic)" }
            print(String(format: "| %@ | %d^2 | %@ | %.2f | %.1f | %.1f | %.2f |", label, size, name, t * 1e3, gflops, localPeak, gflops / localPeak))
        }
    }
    training()
}

/// A small conv autoencoder on 8 x 32 x 32 x 32 latents, the size the swap model trains on.
static func training() {
    var rng = SeededRandom(seed: 2)
    func conv(_ cin: Int, _ cout: Int, stride: Int = 1) -> Conv2d {
        Conv2d(weight: Init.kaimingUniform([cout, cin, 3, 3], rng: &rng), bias: .zeros([cout]), stride: stride, padding: 1)
    }
    let layers = [conv(32, 64), conv(64, 64, stride: 2), conv(64, 64), conv(64, 64), conv(64, 32)]
    let params = layers.flatMap { [$0.weight, $0.bias!] }
    let optimizer = AdamW(parameters: params, learningRate: 1e-3)
    let x = rng.normalTensor([8, 32, 32, 32])
    var flops = 0.0
    func step() {
        optimizer.zeroGrad()
        let tape = Tape()
        let input = tape.variable(x)
        var h = silu(layers[0].forward(input))
        h = silu(layers[1].forward(h))
        h = silu(layers[2].forward(h))
        h = upsampleNearest(h, scale: 2)
        h = silu(layers[3].forward(h))
        let loss = mseLoss(layers[4].forward(h), input)
        tape.backward(loss)
        optimizer.step()
    }
    // Forward multiply-adds x 2 per layer (cin, cout, output size); backward costs about twice that.
    let shapes: [(Double, Double, Double)] = [(32, 64, 32), (64, 64, 16), (64, 64, 16), (64, 64, 32), (64, 32, 32)]
    for (cin, cout, size) in shapes { flops += 3 * 2 * 8 * cin * 9 * cout * size * size }
    let t = bestTime(repeats: 5, step)
    print(String(format: "neural: training step, 5-conv autoencoder, batch 8 x 32 x 32 x 32: %.1f ms (%.1f it/s, ~%.0f GFLOP/s incl. backward)",
                 t * 1e3, 1 / t, flops / t / 1e9))
}
}
