import Foundation
import Neural

/// Vector quantizer for the swap model's bottleneck (VQ-VAE with EMA codebook updates).
///
/// Every D-channel vector of the bottleneck grid is replaced by its nearest codebook entry.
/// Gradients pass straight through to the encoder, plus the commitment term
/// beta * mean((z_e - sg(z_q))^2) that keeps the encoder close to its codes. The codebook itself learns by exponential moving averages of
/// the vectors assigned to each code (no gradient), and codes that nobody uses any more are
/// restarted from encoder outputs of the current batch.
public final class VectorQuantizer {
    public let codebookSize: Int
    public let codeDim: Int
    public let commitment: Float
    public let decay: Float
    /// A code whose EMA usage falls below this is restarted.
    public let deadThreshold: Float
    let epsilon: Float = 1e-5

    /// [K, D] codebook, and the EMA state that defines it: per-code usage and vector sums.
    public var codebook: [Float]
    public var emaCount: [Float]
    public var emaSum: [Float]

    /// Results of the last training forward pass.
    public private(set) var lastIndices: [Int] = []
    public private(set) var lastPerplexity: Float = 0
    public private(set) var lastRestarts = 0

    public init(codebookSize: Int, codeDim: Int, commitment: Float = 0.25, decay: Float = 0.99,
                deadThreshold: Float = 0.01) {
        self.codebookSize = codebookSize
        self.codeDim = codeDim
        self.commitment = commitment
        self.decay = decay
        self.deadThreshold = deadThreshold
        // All codes start "dead": the first training step fills them from encoder outputs.
        codebook = [Float](repeating: 0, count: codebookSize * codeDim)
        emaCount = [Float](repeating: 0, count: codebookSize)
        emaSum = [Float](repeating: 0, count: codebookSize * codeDim)
    }

    /// Bottleneck grid [N, D, H, W] as rows of vectors [N*H*W, D].
    static func vectors(_ x: Tensor) -> [Float] {
        let (n, c, h, w) = x.nchw("VectorQuantizer")
        return x.reshaped([n, c, h * w]).transposedLastTwo().data
    }

    /// Index of the nearest code (squared Euclidean distance; ties go to the lower index) for each row.
    public func assign(_ rows: [Float]) -> [Int] {
        let m = rows.count / codeDim, k = codebookSize, d = codeDim
        var dots = [Float](repeating: 0, count: m * k)
        sgemm(transB: true, m: m, n: k, k: d, a: rows, lda: d, b: codebook, ldb: d, c: &dots, ldc: k)
        var norms = [Float](repeating: 0, count: k)
        for j in 0..<k {
            var s: Float = 0
            for i in 0..<d { s += codebook[j * d + i] * codebook[j * d + i] }
            norms[j] = s
        }
        var result = [Int](repeating: 0, count: m)
        for r in 0..<m {
            var best = 0, bestDistance = Float.infinity
            for j in 0..<k {
                // ||z - e||^2 - ||z||^2: the row's own norm does not change the ranking.
                let distance = norms[j] - 2 * dots[r * k + j]
                if distance < bestDistance { bestDistance = distance; best = j }
            }
            result[r] = best
        }
        return result
    }

    /// Replaces each vector by its nearest code; changes nothing (inference, safe to share).
    public func lookup(_ x: Tensor) -> (quantized: Tensor, indices: [Int]) {
        let (n, d, h, w) = x.nchw("VectorQuantizer")
        shapeCheck(d == codeDim, "VectorQuantizer: input has \(d) channels, codes have \(codeDim)")
        let indices = assign(VectorQuantizer.vectors(x))
        let hw = h * w
        var q = x
        for b in 0..<n {
            for p in 0..<hw {
                let code = indices[b * hw + p]
                for c in 0..<d { q.data[(b * d + c) * hw + p] = codebook[code * d + c] }
            }
        }
        return (q, indices)
    }

    public func quantize(_ x: Tensor) -> Tensor { lookup(x).quantized }

    /// Training: quantizes z_e with the current codebook and records a straight-through op
    /// (dL/dz_e = dL/dz_q); returns it with the commitment loss beta * mean((z_e - sg(z_q))^2).
    /// Then updates the codebook by EMA and restarts dead codes from this batch.
    public func forward(_ x: Var, random: inout SeededRandom) -> (quantized: Var, commitment: Var) {
        let (q, indices) = lookup(x.value)
        lastIndices = indices
        lastPerplexity = VectorQuantizer.perplexity(indices, codebookSize: codebookSize)
        let tape = x.tape
        let quantized = tape.record(q) { dy, tape in tape.accumulate(x, dy) }
        let commitmentLoss = scale(mseLoss(x, constant(q, on: tape)), commitment)
        let rows = VectorQuantizer.vectors(x.value)
        updateCodebook(rows: rows, indices: lastIndices)
        lastRestarts = restartDeadCodes(rows: rows, random: &random)
        return (quantized, commitmentLoss)
    }

    /// EMA update: count_k <- decay*count_k + (1-decay)*n_k; sum_k likewise; code = sum / smoothed count.
    func updateCodebook(rows: [Float], indices: [Int]) {
        let d = codeDim, k = codebookSize
        var counts = [Float](repeating: 0, count: k)
        var sums = [Float](repeating: 0, count: k * d)
        for (r, code) in indices.enumerated() {
            counts[code] += 1
            for c in 0..<d { sums[code * d + c] += rows[r * d + c] }
        }
        for j in 0..<k {
            emaCount[j] = decay * emaCount[j] + (1 - decay) * counts[j]
            for c in 0..<d { emaSum[j * d + c] = decay * emaSum[j * d + c] + (1 - decay) * sums[j * d + c] }
        }
        // Laplace smoothing keeps rarely used codes from dividing by ~0.
        let total = emaCount.reduce(0, +)
        for j in 0..<k where emaCount[j] > 0 {
            let smoothed = (emaCount[j] + epsilon) / (total + Float(k) * epsilon) * total
            for c in 0..<d { codebook[j * d + c] = emaSum[j * d + c] / smoothed }
        }
    }

    /// Codes with EMA usage under the threshold take a random encoder output of this batch.
    /// A restarted code's usage starts at twice the threshold: if nothing picks it, it is tried
    /// again with newer encoder outputs after ln 2 / (1 - decay) iterations (~70 at 0.99), instead
    /// of staying stale for hundreds of iterations while the encoder moves away from it.
    func restartDeadCodes(rows: [Float], random: inout SeededRandom) -> Int {
        let d = codeDim, m = rows.count / d
        guard m > 0 else { return 0 }
        let count = 2 * deadThreshold
        var restarted = 0
        for j in 0..<codebookSize where emaCount[j] < deadThreshold {
            let r = Int(random.next() % UInt64(m))
            for c in 0..<d {
                codebook[j * d + c] = rows[r * d + c]
                emaSum[j * d + c] = rows[r * d + c] * count
            }
            emaCount[j] = count
            restarted += 1
        }
        return restarted
    }

    /// exp(entropy) of the code usage histogram: K when all codes are used equally, 1 for one code.
    public static func perplexity(_ indices: [Int], codebookSize: Int) -> Float {
        guard !indices.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: codebookSize)
        for i in indices { counts[i] += 1 }
        var entropy = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / Double(indices.count)
            entropy -= p * log(p)
        }
        return Float(exp(entropy))
    }
}
