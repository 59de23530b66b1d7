import Foundation

/// state.json of a model directory: where training stands, and the hashes that tie it to the
/// weights and optimizer files saved with it (a checkpoint whose files do not match is not used).
public struct TrainState: Codable, Equatable, Sendable {
    public struct LossRecord: Codable, Equatable, Sendable {
        public var iteration: Int
        public var loss: Float
        public var source: Float
        public var target: Float
        public var commitment: Float
        public var perplexity: Float
        /// The mask heads' loss (absent for models without them).
        public var mask: Float?
        public init(iteration: Int, loss: Float, source: Float, target: Float, commitment: Float, perplexity: Float, mask: Float? = nil) {
            self.iteration = iteration; self.loss = loss; self.source = source; self.target = target
            self.commitment = commitment; self.perplexity = perplexity; self.mask = mask
        }
    }

    /// Held-out reconstruction quality at one preview: the source model's reconstruction of actor
    /// faces it never trained on, decoded, against the real crops inside the face mask.
    public struct QualityRecord: Codable, Equatable, Sendable {
        public var iteration: Int
        public var faces: Int
        public var psnr: Double, ssim: Double
        /// Detail ratio: band-pass (Gaussian 1 - Gaussian 3) luminance energy, output over real.
        public var detail: Double
        /// Mean gradient-magnitude similarity (GMSD's map).
        public var gms: Double
        /// Latent checkerboard energy of the output over that of the real face's codec latents.
        public var checkerboard: Double
        /// The model's training seconds when it was measured (`TrainState.trainingSeconds`; absent in
        /// records written before it was kept): quality against training time, previews not counted.
        public var trainingSeconds: Double?
        public init(iteration: Int, faces: Int, psnr: Double, ssim: Double, detail: Double, gms: Double, checkerboard: Double,
                    trainingSeconds: Double? = nil) {
            self.iteration = iteration; self.faces = faces; self.psnr = psnr; self.ssim = ssim; self.detail = detail
            self.gms = gms; self.checkerboard = checkerboard; self.trainingSeconds = trainingSeconds
        }

        enum CodingKeys: String, CodingKey {
            case iteration, faces, psnr, ssim, detail, gms, checkerboard, trainingSeconds = "training_seconds"
        }
    }

    /// How closely the swap follows the target's performance at one preview: target faces decoded
    /// as the source, mouth and eyes located by FaceMesh on the swap and on the real face.
    public struct SwapFollowRecord: Codable, Equatable, Sendable {
        public var iteration: Int
        public var faces: Int
        /// Median over the faces of the mean lip-landmark distance, in inter-ocular distances.
        public var mouth: Double
        /// The same for the eye contours.
        public var eyes: Double
        public init(iteration: Int, faces: Int, mouth: Double, eyes: Double) {
            self.iteration = iteration; self.faces = faces; self.mouth = mouth; self.eyes = eyes
        }
    }

    /// Training iterations completed.
    public var iteration: Int
    public var seed: UInt64
    /// Current learning rate (lowered after each rollback).
    public var learningRate: Float
    public var rollbacks: Int
    public var lossHistory: [LossRecord]
    /// Total losses of the last iterations (the spike detector's window; saved so that a resumed
    /// run judges spikes exactly as an uninterrupted one).
    public var recentLosses: [Float] = []
    /// Held-out quality at each preview (train.yaml `holdout`), oldest first.
    public var quality: [QualityRecord] = []
    /// The swap's landmark distance to the target at each preview, oldest first.
    public var swapFollow: [SwapFollowRecord] = []
    /// Seconds spent in training steps over all runs of this model: previews, held-out scoring,
    /// checkpoints and latent encoding are not counted.
    public var trainingSeconds: Double = 0
    public var weightsSHA256: String
    public var optimizerSHA256: String

    public init(iteration: Int = 0, seed: UInt64, learningRate: Float, rollbacks: Int = 0, lossHistory: [LossRecord] = [],
                weightsSHA256: String = "", optimizerSHA256: String = "") {
        self.iteration = iteration; self.seed = seed; self.learningRate = learningRate; self.rollbacks = rollbacks
        self.lossHistory = lossHistory; self.weightsSHA256 = weightsSHA256; self.optimizerSHA256 = optimizerSHA256
    }

    enum CodingKeys: String, CodingKey {
        case iteration, seed, learningRate = "learning_rate", rollbacks, lossHistory = "loss_history"
        case weightsSHA256 = "weights_sha256", optimizerSHA256 = "optimizer_sha256", recentLosses = "recent_losses", quality
        case swapFollow = "swap_follow", trainingSeconds = "training_seconds"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iteration = try c.decode(Int.self, forKey: .iteration)
        seed = try c.decode(UInt64.self, forKey: .seed)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        rollbacks = try c.decode(Int.self, forKey: .rollbacks)
        lossHistory = try c.decode([LossRecord].self, forKey: .lossHistory)
        recentLosses = try c.decodeIfPresent([Float].self, forKey: .recentLosses) ?? []
        quality = try c.decodeIfPresent([QualityRecord].self, forKey: .quality) ?? []
        swapFollow = try c.decodeIfPresent([SwapFollowRecord].self, forKey: .swapFollow) ?? []
        trainingSeconds = try c.decodeIfPresent(Double.self, forKey: .trainingSeconds) ?? 0
        weightsSHA256 = try c.decode(String.self, forKey: .weightsSHA256)
        optimizerSHA256 = try c.decode(String.self, forKey: .optimizerSHA256)
    }
}
