import FaceAlign
import Foundation
import LatentSwapModel
import Neural
import Support

/// `plateswap train`: face sets -> cached latents -> SwapTrainer, with previews decoded by the
/// codec and a clean save on SIGINT/SIGTERM.
public final class TrainRunner {
    /// Command-line settings on top of train.yaml.
    public struct Overrides: Sendable {
        /// Either of these replaces train.yaml's `stop` (iterations count the model's total).
        public var iterations: Int?
        public var minutes: Double?
        /// Continue the model directory's last checkpoint.
        public var resume = false
        /// Train on train.yaml's `pool` (both identities drawn from every face set) instead of
        /// `source` and `target`: a generic model for `init_from`.
        public var pretrain = false
        /// Score the saved model (holdout and swap-follow checks) without training or writing.
        public var scoreOnly = false
        public init(iterations: Int? = nil, minutes: Double? = nil, resume: Bool = false, pretrain: Bool = false,
                    scoreOnly: Bool = false) {
            self.iterations = iterations
            self.minutes = minutes
            self.resume = resume
            self.pretrain = pretrain
            self.scoreOnly = scoreOnly
        }
    }

    public struct Outcome {
        public var state: TrainState
        /// The signal that stopped the run early (the model was saved first), if any.
        public var signal: Int32?
    }

    public let config: TrainConfig
    public let overrides: Overrides
    public let codec: LatentCodec
    public let signals: StopSignals

    /// `codec` defaults to the one train.yaml names, from the model search path.
    public init(config: TrainConfig, overrides: Overrides = .init(), codec: LatentCodec? = nil,
                signals: StopSignals = .shared) throws {
        self.config = config
        self.overrides = overrides
        self.codec = try codec ?? CodecLoader.load(config.codec)
        self.signals = signals
    }

    public var variants: CropVariants { config.variants }
    /// The crop size S of the faces and of the model.
    var resolution: Int { config.architecture.resolution }

    /// The options the trainer runs with: train.yaml's, with the stop the command line gives.
    public var options: TrainOptions {
        var options = config.options
        if overrides.iterations != nil || overrides.minutes != nil {
            (options.stopIterations, options.stopMinutes) = (overrides.iterations, overrides.minutes)
            options.stopTrainingMinutes = nil
        }
        return options
    }

    /// The architecture train.yaml describes, tied to this codec's weights and the face sets' crop.
    public func modelConfig(faceType: String) throws -> SwapModelConfig {
        let identity = try codec.identity
        var model = config.architecture
        model.codec = .init(id: identity.name, sha256: identity.sha256, channels: codec.latentChannels, downscale: codec.downscale)
        model.faceType = faceType
        try model.validate(source: config.sourceFile.path)
        return model
    }

    /// The pretraining pool: every face of every `pool` face set, as both identities.
    public func poolLatents() throws -> (source: LatentFaceSet, target: LatentFaceSet, faceType: String, poses: TrainingPoses?) {
        guard !config.pool.isEmpty else {
            throw TrainRunError.mismatch("\(config.sourceFile.path): --pretrain needs `pool`, a list of face sets of other people")
        }
        let pool = try load(config.pool, name: "pool")
        Log.info("pretrain pool: \(pool.set.faces.count) faces from \(config.pool.count) face sets, as both identities")
        return (pool.set, pool.set, pool.faceType.rawValue, nil)
    }

    /// A face set whose encoding stops between batches on a signal (what is encoded stays cached).
    func faceSet(_ folder: URL) throws -> FaceSetLatents {
        var set = try FaceSetLatents(folder: folder, codec: codec, size: resolution, variants: variants)
        set.stop = signals
        return set
    }

    /// Loads (or encodes) both identities' face sets; `poses` are the actor's head poses, for the
    /// model's training_poses.json. The pose coverage is logged before any face is encoded.
    public func latents() throws -> (source: LatentFaceSet, target: LatentFaceSet, faceType: String, poses: TrainingPoses?) {
        guard config.pairGiven else {
            throw TrainRunError.mismatch("\(config.sourceFile.path): names no source and target; `pool` alone is for --pretrain")
        }
        var sourceSets = try config.sources.map { try faceSet($0) }
        let targetSets = try config.targets.map { try faceSet($0) }
        if let selection = sourceSelection(sources: sourceSets.map(\.document), targets: targetSets.map(\.document)) {
            for i in sourceSets.indices { sourceSets[i].keepOnly(selection.kept[i]) }
        }
        let poses = trainingPoses(sourceSets.map(\.document))
        if let coverage = PoseCoverage(training: poses, target: targetSets.flatMap { PoseCoverage.poses($0.document) }) {
            coverage.isShort ? Log.warning(coverage.description) : Log.info(coverage.description)
        }
        let s = try load(sourceSets, name: "source"), t = try load(targetSets, name: "target")
        guard s.faceType == t.faceType else {
            throw TrainRunError.mismatch("face sets were cut differently: the source sets are \(s.faceType.rawValue), "
                + "the target sets \(t.faceType.rawValue); extract all with the same --face-type")
        }
        Log.info("latents: source \(s.set.faces.count) faces (\(s.cached) cached), target \(t.set.faces.count) faces (\(t.cached) cached), "
            + "\(variants.count) variants each, \(codec.latentChannels)x\(resolution / codec.downscale)x\(resolution / codec.downscale)")
        return (s.set, t.set, s.faceType.rawValue, poses)
    }

    /// `source_match`'s choice of the source faces to train on (logged), nil for every face.
    func sourceSelection(sources: [FaceSetDocument], targets: [FaceSetDocument], log: Bool = true) -> SourceMatch.Selection? {
        guard let match = config.sourceMatch else { return nil }
        guard let selection = match.select(sources: sources, targets: targets, mirrored: config.variants.flip) else {
            if log { Log.warning("source_match: the face sets have no FaceMesh landmarks to compare; training on every source face") }
            return nil
        }
        if log { Log.info(selection.description) }
        return selection
    }

    /// The actor's head poses in these face sets (with mirror images when training flips faces).
    func trainingPoses(_ documents: [FaceSetDocument]) -> TrainingPoses {
        TrainingPoses(source: documents.flatMap(PoseCoverage.poses), mirrored: config.variants.flip)
    }

    /// How well the source sets' head poses cover the target sets' (from faceset.json's landmarks;
    /// nil when a side has none), for `--score`, which opens no source set.
    public func poseCoverage() throws -> PoseCoverage? {
        let documents = { (folders: [URL]) in try folders.map { try FaceSetDocument.read(from: $0.appendingPathComponent("faceset.json")) } }
        var sources = try documents(config.sources)
        let targets = try documents(config.targets)
        if let selection = sourceSelection(sources: sources, targets: targets, log: false) {
            for i in sources.indices { sources[i].keepOnly(selection.kept[i]) }
        }
        return PoseCoverage(training: trainingPoses(sources), target: targets.flatMap(PoseCoverage.poses))
    }

    /// Every face of `folders` (one identity) as one set; the sets must be cut alike.
    func load(_ folders: [URL], name: String) throws -> (set: LatentFaceSet, cached: Int, faceType: FaceType) {
        try load(try folders.map { try faceSet($0) }, name: name)
    }

    /// The same for face sets already opened (their faceset.json read).
    func load(_ sets: [FaceSetLatents], name: String) throws -> (set: LatentFaceSet, cached: Int, faceType: FaceType) {
        let faceType = sets[0].document.faceType
        if let other = sets.first(where: { $0.document.faceType != faceType }) {
            throw TrainRunError.mismatch("\(name) face sets were cut differently: \(other.folder.path) is \(other.document.faceType.rawValue), "
                + "\(sets[0].folder.path) is \(faceType.rawValue)")
        }
        var faces: [[LatentSample]] = [], cached = 0
        for (i, set) in sets.enumerated() {
            let loaded = try set.load(name: sets.count == 1 ? name : "\(name)[\(i)]")
            faces += loaded.set.faces
            cached += loaded.cached
        }
        return (LatentFaceSet(name: name, faces: faces), cached, faceType)
    }

    /// Trains until the stop condition or a signal; the model directory holds the result.
    public func run() throws -> Outcome {
        if overrides.scoreOnly { return try score() }
        let pixelDecoder = codec as? DifferentiableDecoder
        if (config.options.pixelLossEvery > 0 || config.options.featureLossEvery > 0) && pixelDecoder == nil {
            throw TrainRunError.mismatch("\(config.sourceFile.path): pixel_loss and feature_loss need a codec whose decoder can train through (taef2, taesd), not \(codec.name)")
        }
        let directory = ModelDirectory(url: config.model)
        StaleTemporaries.remove(in: [directory.url, directory.previews, directory.url.appendingPathComponent(".saving")])
        let data = try overrides.pretrain ? poolLatents() : latents()
        let trainer = try SwapTrainer(directory: directory, config: try modelConfig(faceType: data.faceType), options: options,
                                      resume: overrides.resume, source: data.source, target: data.target,
                                      initFrom: overrides.resume ? nil : config.initFrom)
        // Kept for `run`'s per-frame pose check (none for a pretraining pool or faces without landmarks).
        if let poses = data.poses, !poses.source.isEmpty { try poses.write(into: config.model) }
        let signals = self.signals
        trainer.shouldStop = { signals.signal != nil }
        trainer.pixelDecoder = pixelDecoder
        let grid = PreviewGrid(codec: codec, folder: directory.previews)
        let holdout = try config.holdout.map { try HoldoutEvaluator(folder: $0, codec: codec, size: resolution, stop: signals) }
        let swapCheck = overrides.pretrain ? nil : try swapFollowEvaluator(targets: data.target)
        trainer.onPreview = { [unowned trainer] preview in
            let url = try grid.write(preview)
            Log.info("preview: \(url.path)")
            if let holdout {
                let quality = try holdout.evaluate(trainer.model, iteration: preview.iteration)
                trainer.record(quality: quality)
                Log.info(HoldoutEvaluator.describe(quality))
            }
            if let swapCheck {
                let follow = try swapCheck.evaluate(trainer.model, iteration: preview.iteration)
                trainer.record(swapFollow: follow)
                Log.info(SwapFollowEvaluator.describe(follow))
            }
        }
        // The iteration in flight finishes and the model is saved, however long that takes.
        signals.deferringExit = true
        defer { signals.deferringExit = false }
        let state = try trainer.run()
        Log.info("model saved: \(config.model.path) (iteration \(state.iteration))")
        return Outcome(state: state, signal: signals.signal)
    }

    /// `train --score`: the saved model's held-out and swap-follow scores, logged and printed as
    /// one JSON object on stdout; nothing is trained or written.
    func score() throws -> Outcome {
        // A score is of the checkpoint the user names, never silently of a backup (as `run`).
        let loaded: (model: SwapAutoencoder, state: TrainState, optimizer: Adam?, folder: URL)
        do { loaded = try ModelDirectory(url: config.model).loadCheckpoint(optimizer: nil, allowBackup: false) } catch {
            throw TrainRunError.mismatch("--score: \(error)")
        }
        var output = ScoreOutput(iteration: loaded.state.iteration)
        if let holdout = try config.holdout.map({ try HoldoutEvaluator(folder: $0, codec: codec, size: resolution, stop: signals) }) {
            let quality = try holdout.evaluate(loaded.model, iteration: loaded.state.iteration)
            output.holdout = quality
            Log.info(HoldoutEvaluator.describe(quality))
        }
        // The check reads only the last target set, so only that one is loaded.
        if let check = try swapFollowEvaluator(targets: try load([config.targets[config.targets.count - 1]], name: "target").set) {
            let follow = try check.evaluate(loaded.model, iteration: loaded.state.iteration)
            output.swapFollow = follow
            Log.info(SwapFollowEvaluator.describe(follow))
        }
        output.poseCoverage = try poseCoverage()
        if let coverage = output.poseCoverage { Log.info(coverage.description) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
        return Outcome(state: loaded.state, signal: nil)
    }

    struct ScoreOutput: Encodable {
        var iteration: Int
        var holdout: TrainState.QualityRecord? = nil
        var swapFollow: TrainState.SwapFollowRecord? = nil
        var poseCoverage: PoseCoverage? = nil
        enum CodingKeys: String, CodingKey { case iteration, holdout, swapFollow = "swap_follow", poseCoverage = "pose_coverage" }
    }

    /// The swap-follow check on the last target face set (the plate's own frames, when listed
    /// last), from its faces' training latents at the end of `targets`; skipped with a warning when
    /// FaceMesh's weights are not found, as training needs none.
    func swapFollowEvaluator(targets: LatentFaceSet) throws -> SwapFollowEvaluator? {
        let mesh: FaceMeshLandmarker
        do { mesh = try FaceMeshLandmarker() } catch {
            Log.warning("no swap-follow check at previews: \(ErrorText.describe(error))")
            return nil
        }
        let folder = config.targets[config.targets.count - 1]
        let document = try FaceSetDocument.read(from: folder.appendingPathComponent("faceset.json"))
        let latents = targets.faces.suffix(document.faces.count).map { $0[0].latent }
        guard let check = try SwapFollowEvaluator(folder: folder, document: document, latents: latents, size: resolution,
                                                  codec: codec, mesh: mesh) else {
            Log.info("no swap-follow check at previews: \(folder.path) has no faces with FaceMesh landmarks")
            return nil
        }
        return check
    }
}
