// Suite `swap`: the paper's headline. One training iteration (forward + backward + Adam step) of
// the swap autoencoder on TAEF2 latents (32 x S/8 x S/8) against the same network in pixel space
// (3 x S x S in and out: three more stride-2 encoder stages and three more pixel-shuffle decoder
// stages, so the bottleneck grid is the same), at S = 256 and 512, in one run and one process.
// Memory is the process's resident-set high-water mark (VmHWM), reset before each variant
// (clear_refs 5) after returning freed memory to the system (malloc_trim).
// Env: PLATESWAP_BENCH_BATCH (faces per identity, default 2), PLATESWAP_BENCH_SIZES (default 256,512).
import Foundation
import LatentSwapModel
import Neural

#if os(Linux)
/// glibc's malloc_trim (malloc.h is not in the Glibc module).
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

enum SwapBenchmark {
    enum Space: String { case latent, pixel }

    /// The architecture measured in BENCHMARKS.md: df with the default dims 64/64/256 and VQ 1024 x 64.
    static func config(_ space: Space, size: Int) -> SwapModelConfig {
        let codec = space == .latent
            ? SwapModelConfig.Codec(id: "taef2", sha256: "", channels: 32, downscale: 8)
            : SwapModelConfig.Codec(id: "pixels", sha256: "", channels: 3)
        // extra_stages 3 feeds the network S x S instead of S/8 x S/8 (see SwapModelConfig).
        return SwapModelConfig(archetype: .df, codec: codec, resolution: size, extraStages: space == .latent ? 0 : 3)
    }

    /// One model with its optimizer and a fixed random batch, ready to step.
    final class Trainee {
        let model: SwapAutoencoder
        let adam: Adam
        let source: Tensor, target: Tensor, weights: Tensor
        var random = SeededRandom(seed: 7)

        init(_ config: SwapModelConfig, batch: Int) {
            model = SwapAutoencoder(config: config, seed: 1)
            adam = Adam(parameters: model.parameters, learningRate: 1e-4)
            let side = config.latentSize << config.extraStages, c = config.codec.channels
            source = random.uniformTensor([batch, c, side, side])
            target = random.uniformTensor([batch, c, side, side])
            // An oval-ish face weight map is irrelevant to cost; a uniform one is enough.
            weights = SwapLoss.weights(mask: Tensor(shape: [batch, 1, side, side], data: Array(repeating: 1, count: batch * side * side)),
                                       backgroundWeight: 0.1)
        }

        /// Forward, masked MSE of both identities + VQ commitment, backward, Adam.
        func step() -> Float {
            adam.zeroGrad()
            let loss = forwardBackward()
            adam.step()
            return loss
        }

        /// As the trainer does: the tape is gone before Adam runs (while it holds the weights,
        /// Adam's in-place update copies every weight tensor first).
        private func forwardBackward() -> Float {
            let tape = Tape()
            let out = model.trainingForward(source: source, target: target, tape: tape, random: &random)
            var total = add(SwapLoss.maskedMSE(out.source, target: source, weights: weights),
                            SwapLoss.maskedMSE(out.target, target: target, weights: weights))
            if let commitment = out.commitment { total = add(total, commitment) }
            tape.backward(total)
            return total.value.data[0]
        }
    }

    struct Measurement {
        var secondsPerIteration: Double
        var timedIterations: Int
        var peakMiB: Double
        var baselineMiB: Double
    }

    /// Resident set now and its high-water mark, MiB (Linux /proc/self/status).
    static func residentMiB() -> (now: Double, peak: Double) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (.nan, .nan) }
        func field(_ name: String) -> Double {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                  let kb = Double(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "") else { return .nan }
            return kb / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Returns freed heap to the system and restarts the high-water mark at the current RSS.
    static func resetPeak() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// One warm-up step, then as many timed steps as fit in about `budget` seconds (at least 1).
    static func measure(_ trainee: Trainee, budget: Double, maxIterations: Int) -> Measurement {
        resetPeak()
        let baseline = residentMiB().now
        var start = now()
        let loss = trainee.step()
        let warmup = now() - start
        precondition(loss.isFinite, "swap benchmark: loss is not finite")
        let iterations = max(1, min(maxIterations, Int(budget / max(warmup, 1e-6))))
        start = now()
        for _ in 0..<iterations { _ = trainee.step() }
        let seconds = (now() - start) / Double(iterations)
        return Measurement(secondsPerIteration: seconds, timedIterations: iterations, peakMiB: residentMiB().peak, baselineMiB: baseline)
    }

    static func run() {
        let env = ProcessInfo.processInfo.environment
        let batch = Int(env["PLATESWAP_BENCH_BATCH"] ?? "") ?? 2
        let sizes = (env["PLATESWAP_BENCH_SIZES"] ?? "256,512").split(separator: ",").compactMap { Int($0) }
        print("swap: one training iteration = forward + backward + Adam of the df model (dims 64/64/256, VQ 1024 x 64), "
            + "\(batch) source + \(batch) target faces; memory = process RSS high-water mark during the variant")
        print("| S | space | input | parameters | GFLOP/sample (forward) | timed iterations | s/iteration | peak RSS MiB | RSS before MiB |")
        print("|---|---|---|---|---|---|---|---|---|")
        var ratios: [(Int, Double, Double, Double)] = []
        for size in sizes {
            var results: [Space: Measurement] = [:]
            var flops: [Space: Double] = [:]
            // Latent, pixel, latent again: the latent figure is the better of the two passes
            // around the pixel one, so a change of machine load hits both sides alike.
            for (pass, space) in [Space.latent, .pixel, .latent].enumerated() {
                let config = config(space, size: size)
                var trainee: Trainee? = Trainee(config, batch: batch)
                let m = measure(trainee!, budget: space == .latent ? 10 : 40, maxIterations: space == .latent ? 20 : 5)
                flops[space] = trainee!.model.flopsPerSample
                if pass == 0 || space == .pixel {
                    let side = config.latentSize << config.extraStages
                    print("| \(size) | \(space.rawValue) | " + String(format: "%d x %d x %d | %d | %.2f | %d | %.3f | %.0f | %.0f |",
                                 config.codec.channels, side, side, trainee!.model.parameterCount, flops[space]! / 1e9,
                                 m.timedIterations, m.secondsPerIteration, m.peakMiB, m.baselineMiB))
                    results[space] = m
                } else if m.secondsPerIteration < results[.latent]!.secondsPerIteration {
                    print(String(format: "| %d | latent (again, after pixel) | | | | %d | %.3f | | |", size, m.timedIterations, m.secondsPerIteration))
                    results[.latent]!.secondsPerIteration = m.secondsPerIteration
                } else {
                    print(String(format: "| %d | latent (again, after pixel) | | | | %d | %.3f | | |", size, m.timedIterations, m.secondsPerIteration))
                }
                trainee = nil
                fflush(stdout)
            }
            let latent = results[.latent]!, pixel = results[.pixel]!
            ratios.append((size, pixel.secondsPerIteration / latent.secondsPerIteration,
                           (pixel.peakMiB - pixel.baselineMiB) / max(latent.peakMiB - latent.baselineMiB, 1),
                           flops[.pixel]! / flops[.latent]!))
        }
        print("| S | time per iteration pixel / latent | peak memory increase pixel / latent | forward FLOPs pixel / latent |")
        print("|---|---|---|---|")
        for (size, time, memory, flop) in ratios {
            print(String(format: "| %d | %.1fx | %.1fx | %.1fx |", size, time, memory, flop))
        }
    }
}
