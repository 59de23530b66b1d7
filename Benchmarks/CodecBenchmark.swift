// Suite `codec`: TAEF2 encode/decode at 256/512/1024 px (suite `taef2` alone) and the SD VAE at 512 px, as ms and
// achieved conv GFLOP/s, each also as a ratio to the sgemm 1024^3 rate measured in the same run.
import Foundation
import LatentSwapModel
import Neural

enum CodecBenchmark {
    static func run() throws {
        let peak = sgemmPeak()
        print("codec: sgemm 1024x1024x1024: \(format(peak)) GFLOP/s (the practical peak of this run)")
        try taef2(peak: peak)
        try sdvae(peak: peak)
    }

    /// Suite `taef2`: the TAEF2 passes alone (a few minutes shorter than `codec` under load).
    static func runTAEF2() throws {
        let peak = sgemmPeak()
        print("codec: sgemm 1024x1024x1024: \(format(peak)) GFLOP/s (the practical peak of this run)")
        try taef2(peak: peak)
    }

    /// TAEF2 encode and decode at 256/512/1024 px, and the decode recorded on a tape at 256 px
    /// (what a decoded-face loss runs each training step).
    static func taef2(peak: Double) throws {
        let codec = try CodecLoader.load(.taef2)
        guard let tiny = codec as? TinyCodec else { return }
        _ = try tiny.encode(image(64)) // warm up threads and allocator
        for size in [256, 512, 1024] {
            let repeats = size >= 1024 ? 1 : 2
            let input = image(size)
            var latents = Tensor.zeros([1])
            let encodeSeconds = try best(of: repeats) { latents = try tiny.encode(input) }
            let decodeSeconds = try best(of: repeats) { _ = try tiny.decode(latents) }
            let flops = tiny.convFlops(imageSize: size)
            report("taef2 encode \(size) px", seconds: encodeSeconds, flops: flops.encode, peak: peak)
            report("taef2 decode \(size) px", seconds: decodeSeconds, flops: flops.decode, peak: peak)
            if size == 256 {
                let tapeSeconds = best(of: repeats) { _ = tiny.decode(Tape().variable(latents)) }
                report("taef2 decode \(size) px on a tape", seconds: tapeSeconds, flops: flops.decode, peak: peak)
            }
        }
    }

    /// The SD-1.x VAE architecture (block_out_channels 128,256,512,512, 2 layers per block, 32
    /// groups) with random weights: no SD weights ship here, and speed does not depend on values.
    static func sdvae(peak: Double) throws {
        let vae = try SDVAE(randomWeightsFor: .stableDiffusion, seed: 1)
        let input = image(512)
        var latents = Tensor.zeros([1])
        let encodeSeconds = try best(of: 1) { latents = try vae.encode(input) }
        let decodeSeconds = try best(of: 1) { _ = try vae.decode(latents) }
        let flops = vae.convFlops(imageSize: 512)
        report("sdvae encode 512 px (SD-1.x config, random weights)", seconds: encodeSeconds, flops: flops.encode, peak: peak)
        report("sdvae decode 512 px (SD-1.x config, random weights)", seconds: decodeSeconds, flops: flops.decode, peak: peak)
    }

    static func report(_ label: String, seconds: Double, flops: Double, peak: Double) {
        let rate = flops / seconds / 1e9
        print("codec: \(label): \(format(seconds * 1000, digits: 0)) ms, \(format(flops / 1e9)) GFLOP, "
              + "\(format(rate)) GFLOP/s = \(format(rate / peak, digits: 2)) x sgemm peak")
    }

    static func sgemmPeak() -> Double {
        let n = 1024
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        let seconds = best(of: 5) {
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                sgemm(m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
            } } }
        }
        return 2 * Double(n * n * n) / seconds / 1e9
    }

    /// A smooth synthetic picture in [0,1], so activations look like an image's.
    static func image(_ size: Int) -> Tensor {
        var data = [Float](repeating: 0, count: 3 * size * size)
        for c in 0..<3 {
            for y in 0..<size {
                for x in 0..<size {
                    let u = Float(x) / Float(size), v = Float(y) / Float(size)
                    data[(c * size + y) * size + x] = 0.5 + 0.4 * sin(6 * u + Float(c)) * cos(5 * v - Float(c))
                }
            }
        }
        return Tensor(shape: [1, 3, size, size], data: data)
    }

    static func best(of repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var fastest = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return fastest
    }

    static func format(_ value: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
}
