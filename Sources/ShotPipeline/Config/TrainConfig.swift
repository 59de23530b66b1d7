import Foundation
import LatentSwapModel

/// A validated train.yaml (docs/ARCHITECTURE.md, section 6; every key is documented in README.md).
public struct TrainConfig: Equatable {
    // The architecture keys (archetype, inter, dims, vq) are the model's own types: a new model's
    // config.json (`SwapModelConfig`) takes them as they are.
    public typealias Archetype = SwapModelConfig.Archetype
    public typealias Inter = SwapModelConfig.Inter

    /// Augmentation: cached crop variants (mirror image, random similarity warps), DFL's random
    /// warp of the inputs, and optional similarity warps of the latents per batch (off: resampling
    /// latents blurs the targets the model learns).
    public struct Augment: Equatable, Codable {
        public var flip = true
        /// Crop + mirror only gives the actor's own held-out frames back better, but the swap of the
        /// plate performer falls apart into artefacts as it trains (BENCHMARKS.md): keep 2.
        public var warpedVariants = 2
        /// On, as DeepFaceLab trains: without it the actor's held-out reconstructions were sharper
        /// after 15-30 minutes, but the swap of the plate performer degraded (BENCHMARKS.md).
        public var randomWarp = true
        public var latentWarp = false
    }

    /// Optional loss on decoded pixels, every `every` iterations (0: off).
    public struct PixelLoss: Equatable, Codable {
        public var every = 0
        public var weight = 1.0
        public var faces = 2
        /// pixel_loss only: weight of the masked DSSIM next to the MSE (DeepFaceLab trains faces on both).
        public var dssim = 0.0
    }

    /// When to stop; with both set, whichever comes first.
    public struct Stop: Equatable, Codable {
        public var iterations: Int?
        public var minutes: Double?
    }

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
    /// Face sets of many people for `plateswap train --pretrain` (both identities draw from them all).
    public var pool: [URL] = []
    /// Whether train.yaml names `source` and `target` (a pretraining yaml may name only `pool`).
    public var pairGiven = true
    public var codec: CodecKind = .taef2
    public var resolution = 256
    /// liae by default: on the demo pair it keeps the identity and follows the plate better than df
    /// at equal held-out fidelity (BENCHMARKS.md "DF or LIAE").
    public var archetype: Archetype = .liae
    public var inter: Inter = .dense
    /// ICNR initialisation of the convolutions before each pixel shuffle.
    public var icnr = true
    /// SAEHD's e_dims, d_dims, ae_dims and d_mask_dims.
    public var dims = SwapModelConfig.Dims()
    public var vq = SwapModelConfig.VQ()
    public var augment = Augment()
    /// Weight of latent pixels outside the face mask in the loss (the face weighs 1).
    public var backgroundWeight = 0.25
    /// Weight of the mask heads' loss.
    public var maskWeight = 1.0
    /// Extra latent-loss weight on the eyes and mouth (from the face sets' landmarks).
    public var eyesMouthWeight = 1.0
    public var pixelLoss = PixelLoss()
    /// The same on the codec decoder's intermediate features (cheaper than pixels).
    public var featureLoss = PixelLoss()
    public var batchSize = 8
    public var learningRate = 5.0e-5
    public var optimizer: OptimizerKind = .adam
    /// Decoupled weight decay; above 0 Adam becomes AdamW.
    public var weightDecay = 0.0
    /// Learning-rate dropout: the probability that a weight's update is applied; nil: off.
    public var lrDropout: Double?
    /// Iterations over which the learning rate ramps up linearly (0: none).
    public var warmup = 0
    public var stop = Stop(iterations: 20000, minutes: nil)
    public var saveEvery = 500
    public var previewEvery = 250
    public var seed: UInt64 = 1
    public var sourceFile: URL

    public static func load(_ url: URL, displayName: String? = nil) throws -> TrainConfig {
        let document = try ConfigDocument(url: url, displayName: displayName)
        return try parse(document, source: url)
    }

    public static func parse(_ document: ConfigDocument, source file: URL) throws -> TrainConfig {
        let root = try document.root.mapping(allowed: [
            "model", "source", "target", "codec", "resolution", "archetype", "dims", "vq", "batch_size",
            "learning_rate", "stop", "save_every", "preview_every", "seed", "augment", "background_weight", "pixel_loss", "weight_decay",
            "inter", "icnr", "mask_weight", "eyes_mouth_weight", "holdout", "init_from", "pool", "feature_loss",
            "optimizer", "lr_dropout", "warmup",
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
        if let node = root["init_from"] { config.initFrom = try node.url(mustExist: true, directory: true) }
        if let node = root["codec"] { config.codec = try node.oneOf(CodecKind.self) }
        if let node = root["resolution"] {
            config.resolution = try node.int(in: 64...1024)
            // SwapModelConfig.validate asks the same of the model: S/8 latents, halved twice by the encoder.
            guard config.resolution % 32 == 0 else {
                throw node.error("\(config.resolution) is not a multiple of 32 (latents are 1/8 size and the model halves them twice)")
            }
        }
        if let node = root["archetype"] { config.archetype = try node.oneOf(Archetype.self) }
        if let node = root["inter"] { config.inter = try node.oneOf(Inter.self) }
        if let node = root["icnr"] { config.icnr = try node.bool() }
        if let dims = try root.section("dims", allowed: ["encoder", "decoder", "bottleneck", "mask"]) {
            if let node = dims["encoder"] { config.dims.encoder = try node.int(in: 1...4096) }
            if let node = dims["decoder"] { config.dims.decoder = try node.int(in: 1...4096) }
            if let node = dims["bottleneck"] { config.dims.bottleneck = try node.int(in: 1...16384) }
            if let node = dims["mask"] { config.dims.mask = try node.int(in: 0...4096) }
        }
        if config.inter == .dense, config.resolution % 64 != 0 {
            throw try (root["resolution"] ?? root.required("inter")).error(
                "\(config.resolution) is not a multiple of 64: the dense inter halves the 1/8 latents three times")
        }
        // `vq: off` / `vq: on` (or false / true) are short for `vq: {enabled: ...}`.
        if let word = try? root["vq"]?.string(), ["off", "false", "on", "true"].contains(word.lowercased()) {
            config.vq.enabled = ["on", "true"].contains(word.lowercased())
        } else if let vq = try root.section("vq", allowed: ["enabled", "codebook_size", "code_dim", "commitment", "ema_decay"]) {
            if let node = vq["enabled"] { config.vq.enabled = try node.bool() }
            if let node = vq["codebook_size"] { config.vq.codebookSize = try node.int(in: 2...1 << 20) }
            if let node = vq["code_dim"] { config.vq.codeDim = try node.int(in: 1...4096) }
            if let node = vq["commitment"] { config.vq.commitment = Float(try node.double(in: 0...100)) }
            if let node = vq["ema_decay"] {
                let decay = try node.double(in: 0...1)
                guard decay < 1, Float(decay) < 1 else { throw node.error("ema_decay must be below 1 (1 never updates the codebook)") }
                config.vq.emaDecay = Float(decay)
            }
        }
        if let augment = try root.section("augment", allowed: ["flip", "warped_variants", "random_warp", "latent_warp"]) {
            if let node = augment["random_warp"] { config.augment.randomWarp = try node.bool() }
            if let node = augment["flip"] { config.augment.flip = try node.bool() }
            if let node = augment["warped_variants"] { config.augment.warpedVariants = try node.int(in: 0...16) }
            if let node = augment["latent_warp"] { config.augment.latentWarp = try node.bool() }
        }
        for (key, path) in [("pixel_loss", \TrainConfig.pixelLoss), ("feature_loss", \TrainConfig.featureLoss)] {
            guard let section = try root.section(key, allowed: key == "pixel_loss" ? ["every", "weight", "faces", "dssim"] : ["every", "weight", "faces"]) else { continue }
            if let node = section["every"] { config[keyPath: path].every = try node.int(in: 0...Int(Int32.max)) }
            if let node = section["weight"] { config[keyPath: path].weight = try node.double(in: 0...1000) }
            if let node = section["faces"] { config[keyPath: path].faces = try node.int(in: 1...64) }
            if let node = section["dssim"] { config[keyPath: path].dssim = try node.double(in: 0...1000) }
        }
        if let node = root["weight_decay"] { config.weightDecay = try node.double(in: 0...1) }
        if let node = root["optimizer"] { config.optimizer = try node.oneOf(OptimizerKind.self) }
        // `lr_dropout: on` is DeepFaceLab's 0.3; `off` (or false) is none.
        if let node = root["lr_dropout"] {
            if let word = try? node.string(), ["off", "false", "on", "true"].contains(word.lowercased()) {
                config.lrDropout = ["on", "true"].contains(word.lowercased()) ? 0.3 : nil
            } else {
                config.lrDropout = try node.double(in: 0...1)
                guard config.lrDropout! > 0 else { throw node.error("the probability of applying an update must be above 0 (off: no dropout)") }
            }
        }
        if let node = root["warmup"] { config.warmup = try node.int(in: 0...Int(Int32.max)) }
        if let node = root["background_weight"] { config.backgroundWeight = try node.double(in: 0...1) }
        if let node = root["mask_weight"] { config.maskWeight = try node.double(in: 0...1000) }
        if let node = root["eyes_mouth_weight"] { config.eyesMouthWeight = try node.double(in: 0...1000) }
        if let node = root["batch_size"] { config.batchSize = try node.int(in: 1...4096) }
        if let node = root["learning_rate"] {
            config.learningRate = try node.double(in: 0...1)
            guard config.learningRate > 0 else { throw node.error("learning_rate must be positive") }
        }
        if let stopNode = root["stop"] {
            let stop = try stopNode.mapping(allowed: ["iterations", "minutes"])
            config.stop = Stop(iterations: try stop["iterations"]?.int(in: 1...Int(Int32.max)),
                               minutes: try stop["minutes"]?.double(in: 0...1e7))
            if config.stop.iterations == nil && config.stop.minutes == nil {
                throw stopNode.error("give iterations, minutes or both")
            }
            if let minutes = config.stop.minutes, minutes <= 0 { throw try stop.required("minutes").error("minutes must be positive") }
        }
        if let node = root["save_every"] { config.saveEvery = try node.int(in: 1...Int(Int32.max)) }
        if let node = root["preview_every"] { config.previewEvery = try node.int(in: 0...Int(Int32.max)) }
        if let node = root["seed"] { config.seed = UInt64(try node.int(in: 0...Int.max)) }
        return config
    }
}
