import Foundation
import Neural
import Support

/// The optimiser of a training run (train.yaml's `optimizer`).
public enum OptimizerKind: String, CaseIterable, Codable, Sendable { case adam, adabelief }

/// Settings of one training run (from train.yaml and the command line). The defaults are
/// train.yaml's: it sets these fields and declares none of its own (README.md, "train.yaml").
public struct TrainOptions: Equatable, Sendable {
    public var batchSize = 8
    public var learningRate: Float = 5e-5
    public var optimizer: OptimizerKind = .adam
    /// > 0: decoupled weight decay (Adam becomes AdamW).
    public var weightDecay: Float = 0
    /// Learning-rate dropout: the probability that a weight's update is applied (DFL: 0.3); nil: off.
    public var lrDropout: Float?
    /// The learning rate ramps linearly up to its value over the model's first N iterations (0: off).
    public var warmupIterations = 0
    public var seed: UInt64 = 1
    /// Stop when the model has trained this many iterations in total (across resumes).
    public var stopIterations: Int? = 20000
    /// Stop after this many minutes of this run.
    public var stopMinutes: Double?
    /// Stop after this many minutes of training steps in this run: previews, held-out scoring and
    /// checkpoints are not counted, so runs with different preview settings get the same training.
    public var stopTrainingMinutes: Double?
    public var saveEvery = 500
    public var previewEvery = 250
    /// Iterations between progress lines and loss-history records.
    public var logEvery = 10
    /// A loss above this multiple of the recent mean counts as a spike.
    public var spikeFactor: Float = 4
    /// Learning-rate factor applied at each rollback, and how many rollbacks before giving up.
    public var rollbackLearningRateFactor: Float = 0.5
    public var maxRollbacks = 5
    /// Random similarity warps of the latents per batch: off (resampling latents blurs the targets
    /// the model learns), drawn all the same so the random stream is the same either way.
    public var augmentation = TrainAugmentation.off
    /// DeepFaceLab's random warp of the inputs (targets unwarped); off for a sharpening phase.
    public var randomWarp: RandomWarp? = RandomWarp()
    /// Weight of the mask heads' MSE against the face masks (DFL weighs it as the face loss).
    public var maskLossWeight: Float = 1
    /// Extra loss weight of latent pixels on the eyes and mouth (DFL's eyes-and-mouth priority).
    public var eyesMouthWeight: Float = 1
    /// Faces shown in each preview grid.
    public var previewFaces = 4
    /// Every this many iterations (0: never), also a masked MSE between decoded images of the
    /// reconstructions and of the inputs, through `SwapTrainer.pixelDecoder`, for the first
    /// `pixelLossFaces` faces of each batch (decoding on a tape is costly), times `pixelLossWeight`.
    public var pixelLossEvery = 0
    public var pixelLossWeight: Float = 1
    public var pixelLossFaces = 2
    /// Weight of the masked DSSIM of the decoded faces inside the pixel loss (0: MSE only):
    /// pixel loss = MSE + pixelLossDSSIM x DSSIM, as DeepFaceLab trains its faces on both.
    public var pixelLossDSSIM: Float = 0
    /// The same on the decoder's intermediate features (`DifferentiableDecoder.features`): every
    /// this many iterations (0: never), for the first `featureLossFaces` faces, times its weight.
    public var featureLossEvery = 0
    public var featureLossWeight: Float = 1
    public var featureLossFaces = 2

    public init() {}

    /// The learning rate of the model's `iteration` (0-based, counted across resumes) for a base
    /// rate (rollbacks lower the base): base * (iteration + 1) / N during the warm-up, then base.
    public func learningRate(base: Float, iteration: Int) -> Float {
        guard iteration + 1 < warmupIterations else { return base }
        return base * (Float(iteration + 1) / Float(warmupIterations))
    }
}

/// One preview: per face a row of latents [1, C, h, w]: target, target reconstruction, source,
/// source reconstruction, swap (target decoded as the source).
public struct SwapPreview {
    public var iteration: Int
    public var rows: [[Tensor]]
}

public struct TrainError: ExitStatusError {
    /// `setup`: the model directory or face sets do not fit the request (bad input, exit 2);
    /// `failed`: training itself broke down (exit 1).
    public enum Kind: Sendable { case setup, failed }
    public let kind: Kind
    public let reason: String
    public init(_ kind: Kind, _ reason: String) { self.kind = kind; self.reason = reason }
    public var description: String { "train: \(reason)" }
    public var exitStatus: Int32 { kind == .setup ? ExitStatus.badInput : ExitStatus.failed }
}

/// The training loop: batches, losses, Adam, progress, previews, checkpoints, stop conditions and
/// rollback after a NaN or a loss spike. Deterministic for a seed: iteration i draws its batch
/// and augmentation from a generator derived from (seed, i), so a resumed run repeats exactly
/// what an uninterrupted one does.
public final class SwapTrainer {
    public let directory: ModelDirectory
    public let options: TrainOptions
    public private(set) var model: SwapAutoencoder
    public private(set) var optimizer: Adam
    public private(set) var state: TrainState
    let source: LatentFaceSet, target: LatentFaceSet
    /// Called with each preview (decode and write it); errors are logged, training goes on.
    public var onPreview: ((SwapPreview) throws -> Void)?
    /// Checked after every iteration: returning true saves and stops (SIGINT/SIGTERM).
    public var shouldStop: () -> Bool = { false }
    /// The codec decoder for the optional pixel loss.
    public var pixelDecoder: DifferentiableDecoder?
    /// Test hook: makes the loss of an iteration NaN, as a diverging step would.
    var injectFault: ((Int) -> Bool)?

    /// Opens `directory`: resumes its checkpoint when `resume`, else starts a new model from
    /// `config` (refusing to overwrite an existing checkpoint).
    /// `initFrom`: a pretrained model directory whose generic parts start a new model (ignored on resume).
    public init(directory: ModelDirectory, config: SwapModelConfig, options: TrainOptions, resume: Bool,
                source: LatentFaceSet, target: LatentFaceSet, initFrom: URL? = nil) throws {
        for set in [source, target] {
            guard !set.faces.isEmpty else { throw TrainError(.setup, "face set '\(set.name)' has no faces") }
            guard set.channels == config.codec.channels, set.size == config.latentSize else {
                throw TrainError(.setup, "face set '\(set.name)' has latents \(set.channels)x\(set.size)x\(set.size); "
                    + "the model needs \(config.codec.channels)x\(config.latentSize)x\(config.latentSize)")
            }
        }
        self.directory = directory
        self.options = options
        self.source = source
        self.target = target
        let makeOptimizer = SwapTrainer.optimizerFactory(options)
        if resume {
            guard directory.hasCheckpoint else { throw TrainError(.setup, "--resume: \(directory.url.path) has no checkpoint") }
            // Training may go on from its own backup (it only writes this directory); the warning
            // says what is lost. A checkpoint with no intact backup is a usage error.
            let loaded: (model: SwapAutoencoder, state: TrainState, optimizer: Adam?, folder: URL)
            do { loaded = try directory.loadCheckpoint(optimizer: makeOptimizer, allowBackup: true) } catch {
                throw TrainError(.setup, "--resume: \(error)")
            }
            if loaded.folder != directory.url {
                Log.warning("--resume: continuing from \(loaded.folder.lastPathComponent) (iteration \(loaded.state.iteration)); the damaged checkpoint is moved into backups/ at the next save")
            }
            guard loaded.model.config == config else {
                throw TrainError(.setup, "--resume: \(directory.url.path)/config.json differs from train.yaml's model settings")
            }
            (model, state, optimizer) = (loaded.model, loaded.state, loaded.optimizer!)
            optimizer.dropoutSeed = state.seed
        } else {
            if directory.hasCheckpoint {
                throw TrainError(.setup, "\(directory.url.path) already holds a model; use --resume or another path")
            }
            model = SwapAutoencoder(config: config, seed: options.seed)
            if let initFrom {
                let copied: Int
                do {
                    copied = try model.warmStart(from: try ModelDirectory(url: initFrom).loadModel(), source: initFrom.path)
                } catch {
                    throw TrainError(.setup, "init_from: \(error)")
                }
                Log.info("init_from \(initFrom.path): kept \(copied) tensors of its encoder and decoders, inter and codebook start afresh")
            }
            optimizer = makeOptimizer(model.parameters)
            state = TrainState(seed: options.seed, learningRate: options.learningRate)
            // Iteration 0 is the first good checkpoint a rollback can return to.
            try directory.save(model: model, optimizer: optimizer, state: state)
        }
    }

    /// Adam (AdamW when `options.weightDecay` > 0) or AdaBelief (decay decoupled), with the
    /// options' learning-rate dropout seeded by the options' seed.
    public static func optimizerFactory(_ options: TrainOptions) -> ([Parameter]) -> Adam {
        { parameters in
            let (lr, decay) = (options.learningRate, options.weightDecay)
            let optimizer: Adam
            switch options.optimizer {
            case .adam:
                optimizer = decay > 0 ? AdamW(parameters: parameters, learningRate: lr, weightDecay: decay)
                                      : Adam(parameters: parameters, learningRate: lr)
            case .adabelief:
                optimizer = AdaBelief(parameters: parameters, learningRate: lr, weightDecay: decay, decoupledWeightDecay: true)
            }
            optimizer.updateProbability = options.lrDropout
            optimizer.dropoutSeed = options.seed
            return optimizer
        }
    }

    /// The generator of one iteration and purpose.
    static func random(seed: UInt64, iteration: Int, stream: UInt64) -> SeededRandom {
        SeededRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(iteration) &* 0xD1B5_4A32_D192_ED03 ^ stream &* 0x2545_F491_4F6C_DD1D)
    }

    /// One identity's batch: the model's input (randomly warped when enabled), the unwarped target,
    /// the loss weights and the face masks.
    struct Batch { var input: Tensor, target: Tensor, weights: Tensor, masks: Tensor }

    /// A batch of randomly chosen faces and variants.
    func batch(_ set: LatentFaceSet, random: inout SeededRandom) -> Batch {
        var inputs: [Float] = [], targets: [Float] = [], masks: [Float] = [], priorities: [Float] = []
        for _ in 0..<options.batchSize {
            let face = set.faces[Int(random.next() % UInt64(set.faces.count))]
            let sample = options.augmentation.warp(face[Int(random.next() % UInt64(face.count))], random: &random)
            targets += sample.latent.data
            inputs += (options.randomWarp?.apply(sample.latent, random: &random) ?? sample.latent).data
            masks += sample.mask.data
            priorities += sample.priority?.data ?? [Float](repeating: 0, count: sample.mask.count)
        }
        let c = set.channels, s = set.size, n = options.batchSize
        let mask = Tensor(shape: [n, 1, s, s], data: masks)
        let weights = SwapLoss.weights(mask: mask, backgroundWeight: model.config.backgroundWeight,
                                       priority: Tensor(shape: [n, 1, s, s], data: priorities), priorityWeight: options.eyesMouthWeight)
        return Batch(input: Tensor(shape: [n, c, s, s], data: inputs), target: Tensor(shape: [n, c, s, s], data: targets),
                     weights: weights, masks: mask)
    }

    /// Losses of one step.
    public struct StepLosses {
        public var total, source, target, commitment, perplexity: Float
        /// The mask heads' loss (0 without them).
        public var mask: Float = 0
        /// Decoded-pixel loss (before its weight); nil on iterations without it.
        public var pixel: Float?
        /// Decoder-feature loss (before its weight); nil on iterations without it.
        public var feature: Float?
    }

    /// Runs one iteration: forward, backward, Adam. Does not advance `state.iteration`.
    func step(iteration: Int) -> StepLosses {
        optimizer.zeroGrad()
        let losses = forwardBackward(iteration: iteration)
        // A NaN loss must not reach the weights: then the gradients are dropped and the update skipped.
        guard losses.total.isFinite else {
            optimizer.zeroGrad()
            return losses
        }
        optimizer.learningRate = options.learningRate(base: state.learningRate, iteration: iteration)
        optimizer.step()
        return losses
    }

    /// Forward and backward of one iteration, gradients accumulated into the parameters. The tape
    /// is gone when this returns: it holds the parameters' values, and while it lives Adam's
    /// in-place update would copy every weight tensor first.
    private func forwardBackward(iteration: Int) -> StepLosses {
        var random = SwapTrainer.random(seed: state.seed, iteration: iteration, stream: 1)
        let sourceBatch = batch(source, random: &random)
        let targetBatch = batch(target, random: &random)
        let tape = Tape()
        let withPixels = options.pixelLossEvery > 0 && iteration % options.pixelLossEvery == 0
        let withFeatures = options.featureLossEvery > 0 && iteration % options.featureLossEvery == 0
        var (total, losses) = record(source: sourceBatch, target: targetBatch, tape: tape, pixel: withPixels, features: withFeatures,
                                     random: &random)
        if injectFault?(iteration) == true { losses.total = .nan }
        // Backward always runs: it also frees the tape (its closures hold it).
        tape.backward(total)
        return losses
    }

    /// The forward pass and every loss term of one step on these batches, recorded on `tape`
    /// (the VQ codebook takes its EMA update here): the total to back-propagate and its parts.
    func record(source sourceBatch: Batch, target targetBatch: Batch, tape: Tape, pixel withPixels: Bool, features withFeatures: Bool = false,
                random: inout SeededRandom) -> (total: Var, losses: StepLosses) {
        let out = model.trainingForward(source: sourceBatch.input, target: targetBatch.input, tape: tape, random: &random)
        let sourceLoss = SwapLoss.maskedMSE(out.source, target: sourceBatch.target, weights: sourceBatch.weights)
        let targetLoss = SwapLoss.maskedMSE(out.target, target: targetBatch.target, weights: targetBatch.weights)
        var total = add(sourceLoss, targetLoss)
        if let commitment = out.commitment { total = add(total, commitment) }
        var maskLoss: Var?
        if let sourceMask = out.sourceMask, let targetMask = out.targetMask {
            maskLoss = add(mseLoss(sourceMask, constant(sourceBatch.masks, on: tape)), mseLoss(targetMask, constant(targetBatch.masks, on: tape)))
            total = add(total, scale(maskLoss!, options.maskLossWeight))
        }
        var pixel: Var?
        if withPixels, let decoder = pixelDecoder {
            pixel = add(pixelLoss(out.source, sourceBatch.target, sourceBatch.weights, decoder),
                        pixelLoss(out.target, targetBatch.target, targetBatch.weights, decoder))
            total = add(total, scale(pixel!, options.pixelLossWeight))
        }
        var feature: Var?
        if withFeatures, let decoder = pixelDecoder {
            let faces = options.featureLossFaces
            feature = add(Self.decodedLoss(out.source, sourceBatch.target, sourceBatch.weights, faces: faces, decode: decoder.features, reference: decoder.featureMaps),
                          Self.decodedLoss(out.target, targetBatch.target, targetBatch.weights, faces: faces, decode: decoder.features, reference: decoder.featureMaps))
            total = add(total, scale(feature!, options.featureLossWeight))
        }
        var losses = StepLosses(total: total.value.data[0], source: sourceLoss.value.data[0], target: targetLoss.value.data[0],
                                commitment: out.commitment?.value.data[0] ?? 0, perplexity: model.quantizer?.lastPerplexity ?? 0,
                                mask: maskLoss?.value.data[0] ?? 0, pixel: pixel?.value.data[0])
        losses.feature = feature?.value.data[0]
        return (total, losses)
    }

    /// Masked MSE (plus the weighted masked DSSIM) between the decoded reconstruction and the
    /// decoded input of the first faces; the latent-grid weights are repeated over each latent
    /// pixel's footprint.
    func pixelLoss(_ reconstruction: Var, _ input: Tensor, _ weights: Tensor, _ decoder: DifferentiableDecoder) -> Var {
        Self.decodedLoss(reconstruction, input, weights, faces: options.pixelLossFaces, decode: decoder.decode, reference: decoder.decodeImages,
                         dssimWeight: options.pixelLossDSSIM)
    }

    /// Masked MSE between `decode` of the first `faces` reconstructions and `reference` of the
    /// same inputs (pixels or decoder features), the latent weights repeated to their resolution;
    /// plus `dssimWeight` x their masked DSSIM when that is above 0 (images in [0, 1] only).
    static func decodedLoss(_ reconstruction: Var, _ input: Tensor, _ weights: Tensor, faces count: Int,
                            decode: (Var) -> Var, reference: (Tensor) -> Tensor, dssimWeight: Float = 0) -> Var {
        let faces = 0..<min(count, input.shape[0])
        let predicted = decode(slice(reconstruction, axis: 0, faces))
        let target = reference(slice(input, axis: 0, faces))
        let factor = predicted.shape[2] / input.shape[2]
        let pixelWeights = upsampleNearest(slice(weights, axis: 0, faces), scale: factor)
        let mse = SwapLoss.maskedMSE(predicted, target: target, weights: pixelWeights)
        guard dssimWeight > 0 else { return mse }
        return add(mse, scale(MaskedDSSIM.loss(predicted, target: target, weights: pixelWeights), dssimWeight))
    }

    /// Trains until a stop condition; saves on the way and at the end. Returns the final state.
    @discardableResult
    public func run() throws -> TrainState {
        let start = Date()
        let startIteration = state.iteration
        var lastLog = Date()
        var trained: TimeInterval = 0 // this run's seconds in training steps
        Log.info("model: \(model.config.archetype.rawValue), \(model.parameterCount) parameters, "
            + String(format: "%.3f GFLOP", model.flopsPerSample / 1e9) + " per sample forward, VQ "
            + (model.quantizer.map { "\($0.codebookSize) x \($0.codeDim)" } ?? "off")
            + ", latents \(model.config.codec.channels)x\(model.config.latentSize)x\(model.config.latentSize)")
        func done() -> Bool {
            if let n = options.stopIterations, state.iteration >= n { return true }
            if let m = options.stopMinutes, Date().timeIntervalSince(start) >= m * 60 { return true }
            if let m = options.stopTrainingMinutes, trained >= m * 60 { return true }
            return false
        }
        while !done() {
            if shouldStop() {
                Log.info("stop requested: saving at iteration \(state.iteration)")
                break
            }
            let iteration = state.iteration
            let stepStart = Date()
            let losses = step(iteration: iteration)
            let stepSeconds = Date().timeIntervalSince(stepStart)
            trained += stepSeconds
            state.trainingSeconds += stepSeconds
            let recent = state.recentLosses
            let mean = recent.isEmpty ? Float.nan : recent.reduce(0, +) / Float(recent.count)
            let spike = recent.count >= 20 && losses.total > options.spikeFactor * mean
            if !losses.total.isFinite || spike {
                try rollBack(reason: losses.total.isFinite ? String(format: "loss spike %.4g (recent mean %.4g)", losses.total, mean)
                                                           : "loss is not finite")
                state.recentLosses.removeAll()
                continue
            }
            state.iteration += 1
            state.recentLosses.append(losses.total)
            if state.recentLosses.count > 50 { state.recentLosses.removeFirst() }
            if state.iteration % options.logEvery == 0 {
                state.lossHistory.append(.init(iteration: state.iteration, loss: losses.total, source: losses.source, target: losses.target,
                                               commitment: losses.commitment, perplexity: losses.perplexity,
                                               mask: model.maskDecoders.isEmpty ? nil : losses.mask))
            }
            if state.iteration % options.logEvery == 0 || Date().timeIntervalSince(lastLog) > 10 {
                lastLog = Date()
                Log.info(progressLine(losses, started: start, startIteration: startIteration, trained: trained))
            }
            if options.previewEvery > 0, state.iteration % options.previewEvery == 0 { preview() }
            if options.saveEvery > 0, state.iteration % options.saveEvery == 0 { try save() }
        }
        try save()
        return state
    }

    func progressLine(_ l: StepLosses, started: Date, startIteration: Int, trained: TimeInterval) -> String {
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(state.iteration - startIteration) / max(elapsed, 1e-9)
        var remaining = Double.infinity
        if let n = options.stopIterations { remaining = Double(max(n - state.iteration, 0)) / max(rate, 1e-9) }
        if let m = options.stopMinutes { remaining = min(remaining, max(m * 60 - elapsed, 0)) }
        if let m = options.stopTrainingMinutes { remaining = min(remaining, max(m * 60 - trained, 0)) }
        var line = "iteration \(state.iteration)" + (options.stopIterations.map { "/\($0)" } ?? "")
            + String(format: ", %.2f it/s, loss %.5f (source %.5f, target %.5f", rate, l.total, l.source, l.target)
        if model.quantizer != nil { line += String(format: ", commitment %.5f", l.commitment) }
        if !model.maskDecoders.isEmpty { line += String(format: ", mask %.5f", l.mask) }
        if let pixel = l.pixel { line += String(format: ", pixel %.5f", pixel) }
        if let feature = l.feature { line += String(format: ", feature %.5f", feature) }
        line += ")"
        if model.quantizer != nil { line += String(format: ", perplexity %.1f", l.perplexity) }
        return line + ", ETA " + (remaining.isFinite ? Progress.clock(remaining) : "?")
    }

    /// Adds a held-out quality measurement to the state (saved with the next checkpoint).
    /// Records without training seconds get the model's seconds so far.
    public func record(quality: TrainState.QualityRecord) {
        var quality = quality
        if quality.trainingSeconds == nil { quality.trainingSeconds = state.trainingSeconds }
        state.quality.append(quality)
    }

    /// Adds a swap-follow measurement to the state (saved with the next checkpoint).
    public func record(swapFollow: TrainState.SwapFollowRecord) { state.swapFollow.append(swapFollow) }

    /// Saves the current checkpoint.
    public func save() throws {
        try directory.save(model: model, optimizer: optimizer, state: state)
    }

    /// Returns to the last good checkpoint with a lower learning rate.
    func rollBack(reason: String) throws {
        let rollbacks = state.rollbacks + 1
        guard rollbacks <= options.maxRollbacks else {
            throw TrainError(.failed, "\(reason) at iteration \(state.iteration) after \(options.maxRollbacks) rollbacks; giving up")
        }
        let loaded = try directory.loadCheckpoint(optimizer: SwapTrainer.optimizerFactory(options))
        let learningRate = loaded.state.learningRate * options.rollbackLearningRateFactor
        Log.warning("\(reason) at iteration \(state.iteration): back to the checkpoint of iteration \(loaded.state.iteration), "
            + "learning rate \(loaded.state.learningRate) -> \(learningRate)")
        // The discarded steps were still trained: the clock keeps them, as it keeps the rollback count.
        let trainingSeconds = state.trainingSeconds
        (model, optimizer, state) = (loaded.model, loaded.optimizer!, loaded.state)
        optimizer.learningRate = learningRate
        optimizer.dropoutSeed = state.seed
        state.learningRate = learningRate
        state.rollbacks = rollbacks
        state.trainingSeconds = trainingSeconds
        // Record the lowered rate in the checkpoint, so a later rollback or resume keeps it.
        try save()
    }

    /// A few faces of each set, unwarped, through the model: spread evenly over each set (so the
    /// grid shows more than a set's first frames), the source's taken between the target's (so a
    /// pretraining pool, which is both sets, shows two different faces in each row).
    public func previewLatents() -> SwapPreview {
        var rows: [[Tensor]] = []
        let count = min(options.previewFaces, source.faces.count, target.faces.count)
        for row in 0..<count {
            let t = target.faces[row * target.faces.count / count][0].latent
            let s = source.faces[(2 * row + 1) * source.faces.count / (2 * count)][0].latent
            let tb = t.reshaped([1] + t.shape), sb = s.reshaped([1] + s.shape)
            rows.append([tb, model.decode(tb, as: .target), sb, model.decode(sb, as: .source), model.swap(tb)])
        }
        return SwapPreview(iteration: state.iteration, rows: rows)
    }

    func preview() {
        guard let onPreview else { return }
        do { try onPreview(previewLatents()) } catch { Log.warning("preview at iteration \(state.iteration) failed: \(error)") }
    }
}
