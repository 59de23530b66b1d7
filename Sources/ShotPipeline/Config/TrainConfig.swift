import Foundation
import LatentSwapModel

/// A validated train.yaml (docs/ARCHITECTURE.md, section 6; every key is documented in README.md).
public struct TrainConfig: Equatable {
    // The architecture keys are the model's own settings (`SwapModelConfig`) and the training keys
    // the trainer's (`TrainOptions`): train.yaml fills them in place and declares no default of its own.
    public typealias Archetype = SwapModelConfig.Archetype
    public typealias Inter = SwapModelConfig.Inter

    /// The model directory to create or resume (need not exist yet).
    public var model: URL
    /// Face sets of the actor (the faces we want to see): `source:` names one or a list.
    public var sources: [URL]
    /// Face sets of the plate performer (the faces being replaced), e.g. other frames of the
    /// performer and the plate's own frames, as DeepFaceLab trains on its destination video.
    public var targets: [URL]
    /// Optional face set of the actor from frames not in `source`: scored at every preview.
    public var holdout: URL?
    /// A pretrained model whose encoder and decoders start this one (new models only).
    public var initFrom: URL?
    /// `source_match`: train on this fraction of the source faces, those nearest the target's
    /// expressions and head poses (nil: every face).
    public var sourceMatch: SourceMatch?
    /// Face sets of many people for `plateswap train --pretrain` (both identities draw from them all).
    public var pool: [URL] = []
    /// Whether train.yaml names `source` and `target` (a pretraining yaml may name only `pool`).
    public var pairGiven = true
    public var codec: CodecKind = .taef2
    /// The new model's architecture as config.json will hold it (archetype, inter, icnr, dims, vq,
    /// resolution, background_weight), with `SwapModelConfig`'s own defaults: a key train.yaml
    /// leaves out keeps the model's default. `codec` and `faceType` are placeholders here: the
    /// codec's weights and the face sets give them when training starts (`TrainRunner.modelConfig`).
    public var architecture = SwapModelConfig(codec: .init(id: "", sha256: "", channels: 0), resolution: 256)
    /// How the trainer runs (learning rate, batch, losses, stop, saves): train.yaml's keys set
    /// `TrainOptions` itself, so its defaults are the trainer's (`TrainRunner.options` only lets
    /// --iterations / --minutes replace the stop).
    public var options = TrainOptions()
    /// `augment.flip` and `augment.warped_variants`: the crop variants cached per face.
    public var variants = CropVariants()
    public var sourceFile: URL

    public static func load(_ url: URL, displayName: String? = nil) throws -> TrainConfig {
        let document = try ConfigDocument(url: url, displayName: displayName)
        return try parse(document, source: url)
    }

    public static func parse(_ document: ConfigDocument, source file: URL) throws -> TrainConfig {
        let root = try document.root.mapping(allowed: [
            "model", "source", "target", "codec", "resolution", "archetype", "dims", "vq", "batch_size",
            "learning_rate", "stop", "save_every", "preview_every", "seed", "augment", "background_weight", "pixel_loss", "weight_decay",
            "inter", "icnr", "init", "mask_weight", "eyes_mouth_weight", "holdout", "init_from", "pool", "feature_loss",
            "optimizer", "lr_dropout", "warmup", "source_match",
        ])
        let modelNode = try root.required("model")
        let model = try modelNode.url()
        if FileManager.default.fileExists(atPath: model.path) {
            _ = try modelNode.url(mustExist: true, directory: true)
        }
        // A pretraining yaml may name only a pool; a shot's model needs its two face sets.
        let pool = try root["pool"].map { node -> [URL] in
            let sets = try node.list().map { try $0.url(mustExist: true, directory: true) }
            if sets.isEmpty { throw node.error("list at least one face set") }
            return sets
        } ?? []
        let pairGiven = root["source"] != nil || root["target"] != nil || pool.isEmpty
        var config = TrainConfig(
            model: model,
            sources: pairGiven ? try root.required("source").urls(mustExist: true, directory: true) : [pool[0]],
            targets: pairGiven ? try root.required("target").urls(mustExist: true, directory: true) : [pool[min(1, pool.count - 1)]],
            pool: pool, pairGiven: pairGiven, sourceFile: file.standardizedFileURL)
        if pairGiven, let shared = config.sources.first(where: config.targets.contains) {
            throw try root.required("target").error("\(shared.path) is both a source and a target face set")
        }
        if let node = root["holdout"] {
            let holdout = try node.url(mustExist: true, directory: true)
            if config.sources.contains(holdout) { throw node.error("the holdout set must not be a source face set it is held out from") }
            config.holdout = holdout
        }
        if let node = root["source_match"] {
            // `off` (or false, or 1) trains on every face; `0.3` is short for `{keep: 0.3}`.
            if let word = try? node.string(), ["off", "false"].contains(word.lowercased()) {
                config.sourceMatch = nil
            } else {
                var match: SourceMatch
                if node.isMapping {
                    let section = try node.mapping(allowed: ["keep", "pose_weight"])
                    match = SourceMatch(keep: try section.required("keep").double(in: 0.01...1))
                    if let weight = section["pose_weight"] { match.poseWeight = Float(try weight.double(in: 0...10)) }
                } else {
                    match = SourceMatch(keep: try node.double(in: 0.01...1))
                }
                config.sourceMatch = match.keep < 1 ? match : nil
            }
        }
        if let node = root["init_from"] { config.initFrom = try node.url(mustExist: true, directory: true) }
        if let node = root["codec"] { config.codec = try node.oneOf(CodecKind.self) }
        try parseArchitecture(root, into: &config.architecture)
        if let augment = try root.section("augment", allowed: ["flip", "warped_variants", "random_warp", "latent_warp"]) {
            if let node = augment["random_warp"] { config.options.randomWarp = try node.bool() ? RandomWarp() : nil }
            if let node = augment["flip"] { config.variants.flip = try node.bool() }
            if let node = augment["warped_variants"] { config.variants.warped = try node.int(in: 0...16) }
            if let node = augment["latent_warp"] { config.options.augmentation = try node.bool() ? TrainAugmentation() : .off }
        }
        try parseOptions(root, into: &config.options)
        return config
    }

    /// The keys that shape the network (config.json's), into the model's own settings.
    static func parseArchitecture(_ root: ConfigMapping, into model: inout SwapModelConfig) throws {
        if let node = root["resolution"] {
            model.resolution = try node.int(in: 64...1024)
            // SwapModelConfig.validate asks the same of the model: S/8 latents, halved twice by the encoder.
            guard model.resolution % 32 == 0 else {
                throw node.error("\(model.resolution) is not a multiple of 32 (latents are 1/8 size and the model halves them twice)")
            }
        }
        if let node = root["archetype"] { model.archetype = try node.oneOf(Archetype.self) }
        if let node = root["inter"] { model.inter = try node.oneOf(Inter.self) }
        if let node = root["icnr"] { model.icnr = try node.bool() }
        if let node = root["init"] { model.initialisation = try node.oneOf(SwapModelConfig.Initialisation.self) }
        if let dims = try root.section("dims", allowed: ["encoder", "decoder", "bottleneck", "mask"]) {
            if let node = dims["encoder"] { model.dims.encoder = try node.int(in: 1...4096) }
            if let node = dims["decoder"] { model.dims.decoder = try node.int(in: 1...4096) }
            if let node = dims["bottleneck"] { model.dims.bottleneck = try node.int(in: 1...16384) }
            if let node = dims["mask"] { model.dims.mask = try node.int(in: 0...4096) }
        }
        if model.inter.isDense, model.resolution % 64 != 0 {
            throw try (root["resolution"] ?? root.required("inter")).error(
                "\(model.resolution) is not a multiple of 64: the dense inter halves the 1/8 latents three times")
        }
        // `vq: off` / `vq: on` (or false / true) are short for `vq: {enabled: ...}`.
        if let word = try? root["vq"]?.string(), ["off", "false", "on", "true"].contains(word.lowercased()) {
            model.vq.enabled = ["on", "true"].contains(word.lowercased())
        } else if let vq = try root.section("vq", allowed: ["enabled", "codebook_size", "code_dim", "commitment", "ema_decay"]) {
            if let node = vq["enabled"] { model.vq.enabled = try node.bool() }
            if let node = vq["codebook_size"] { model.vq.codebookSize = try node.int(in: 2...1 << 20) }
            if let node = vq["code_dim"] { model.vq.codeDim = try node.int(in: 1...4096) }
            if let node = vq["commitment"] { model.vq.commitment = Float(try node.double(in: 0...100)) }
            if let node = vq["ema_decay"] {
                let decay = try node.double(in: 0...1)
                guard decay < 1, Float(decay) < 1 else { throw node.error("ema_decay must be below 1 (1 never updates the codebook)") }
                model.vq.emaDecay = Float(decay)
            }
        }
        if let node = root["background_weight"] { model.backgroundWeight = Float(try node.double(in: 0...1)) }
    }

    /// The keys of the training run, into the trainer's own options.
    static func parseOptions(_ root: ConfigMapping, into options: inout TrainOptions) throws {
        typealias Loss = (key: String, every: WritableKeyPath<TrainOptions, Int>, weight: WritableKeyPath<TrainOptions, Float>,
                          faces: WritableKeyPath<TrainOptions, Int>, dssim: WritableKeyPath<TrainOptions, Float>?)
        let losses: [Loss] = [("pixel_loss", \.pixelLossEvery, \.pixelLossWeight, \.pixelLossFaces, \.pixelLossDSSIM),
                              ("feature_loss", \.featureLossEvery, \.featureLossWeight, \.featureLossFaces, nil)]
        for loss in losses {
            guard let section = try root.section(loss.key, allowed: ["every", "weight", "faces"] + (loss.dssim == nil ? [] : ["dssim"])) else { continue }
            if let node = section["every"] { options[keyPath: loss.every] = try node.int(in: 0...Int(Int32.max)) }
            if let node = section["weight"] { options[keyPath: loss.weight] = Float(try node.double(in: 0...1000)) }
            if let node = section["faces"] { options[keyPath: loss.faces] = try node.int(in: 1...64) }
            if let node = section["dssim"], let dssim = loss.dssim { options[keyPath: dssim] = Float(try node.double(in: 0...1000)) }
        }
        if let node = root["weight_decay"] { options.weightDecay = Float(try node.double(in: 0...1)) }
        if let node = root["optimizer"] { options.optimizer = try node.oneOf(OptimizerKind.self) }
        // `lr_dropout: on` is DeepFaceLab's 0.3; `off` (or false) is none.
        if let node = root["lr_dropout"] {
            if let word = try? node.string(), ["off", "false", "on", "true"].contains(word.lowercased()) {
                options.lrDropout = ["on", "true"].contains(word.lowercased()) ? 0.3 : nil
            } else {
                let probability = try node.double(in: 0...1)
                guard probability > 0 else { throw node.error("the probability of applying an update must be above 0 (off: no dropout)") }
                options.lrDropout = Float(probability)
            }
        }
        if let node = root["warmup"] { options.warmupIterations = try node.int(in: 0...Int(Int32.max)) }
        if let node = root["mask_weight"] { options.maskLossWeight = Float(try node.double(in: 0...1000)) }
        if let node = root["eyes_mouth_weight"] { options.eyesMouthWeight = Float(try node.double(in: 0...1000)) }
        if let node = root["batch_size"] { options.batchSize = try node.int(in: 1...4096) }
        if let node = root["learning_rate"] {
            let rate = try node.double(in: 0...1)
            guard rate > 0 else { throw node.error("learning_rate must be positive") }
            options.learningRate = Float(rate)
        }
        if let stopNode = root["stop"] {
            let stop = try stopNode.mapping(allowed: ["iterations", "minutes", "training_minutes"])
            (options.stopIterations, options.stopMinutes) = (try stop["iterations"]?.int(in: 1...Int(Int32.max)),
                                                             try stop["minutes"]?.double(in: 0...1e7))
            options.stopTrainingMinutes = try stop["training_minutes"]?.double(in: 0...1e7)
            if options.stopIterations == nil && options.stopMinutes == nil && options.stopTrainingMinutes == nil {
                throw stopNode.error("give iterations, minutes, training_minutes or several")
            }
            if let minutes = options.stopMinutes, minutes <= 0 { throw try stop.required("minutes").error("minutes must be positive") }
            if let minutes = options.stopTrainingMinutes, minutes <= 0 {
                throw try stop.required("training_minutes").error("training_minutes must be positive")
            }
        }
        if let node = root["save_every"] { options.saveEvery = try node.int(in: 1...Int(Int32.max)) }
        if let node = root["preview_every"] { options.previewEvery = try node.int(in: 0...Int(Int32.max)) }
        if let node = root["seed"] { options.seed = UInt64(try node.int(in: 0...Int.max)) }
    }
}
