import Foundation

/// config.json of a model directory: everything needed to rebuild the network and to feed it.
public struct SwapModelConfig: Codable, Equatable, Sendable {
    public enum Archetype: String, CaseIterable, Codable, Sendable {
        /// Shared encoder and inter, one decoder per identity (DeepFaceLab "DF").
        case df
        /// Shared encoder and decoder. With the dense inter, DeepFaceLab's "LIAE": a shared inter_AB
        /// and a target-only inter_B whose codes are concatenated (the swap decodes [AB, AB]); with the
        /// conv inter, one inter per identity.
        case liae
    }

    /// The bottleneck between encoder and decoders.
    public enum Inter: String, CaseIterable, Codable, Sendable {
        /// DeepFaceLab's: flatten -> Dense(ae_dims) -> Dense(side^2 x code) -> reshape -> upscale.
        /// The fully connected layer makes the code carry pose and expression, not a spatial copy.
        case dense
        /// The same dense layers writing the code grid directly (Dense(grid^2 x code) -> reshape,
        /// no upscale conv): the plain reference's inter (`scripts/reference_swap.py`), each code
        /// position with its own projection of the bottleneck. On the reference's face sets it
        /// levelled off where `dense` did (BENCHMARKS.md "Cheaper previews, and the reference's
        /// recipe on today's engine"), so `dense` stays the default.
        case denseGrid = "dense_grid"
        /// A 3x3 conv and a 1x1 projection on the 8x8 grid (the models made before the dense inter).
        case conv

        /// Both dense layouts: the encoder halves the latents three times.
        public var isDense: Bool { self != .conv }
    }

    /// How a new model's weights are drawn (it changes nothing of a trained one).
    public enum Initialisation: String, CaseIterable, Codable, Sendable {
        /// He-normal convolutions (gain 0.5 on residual branches and the output conv), Glorot-uniform
        /// dense layers as DFL's leras draws them, zero biases.
        case he
        /// PyTorch's layer defaults, as the plain reference (`scripts/reference_swap.py`) draws them:
        /// weights and biases uniform in +-1/sqrt(fan_in), 2.4x smaller than He's.
        case pytorch
    }

    public struct Dims: Codable, Equatable, Sendable {
        /// Widths as SAEHD names them: encoder e_dims (grows to 2e, 4e as it downsamples), decoder
        /// d_dims, inter bottleneck ae_dims (the dense layer's width, or the conv inter's channels),
        /// mask decoder d_mask_dims (0: the decoders predict no mask).
        public var encoder: Int, decoder: Int, bottleneck: Int, mask: Int
        public init(encoder: Int = 64, decoder: Int = 64, bottleneck: Int = 256, mask: Int = 16) {
            self.encoder = encoder; self.decoder = decoder; self.bottleneck = bottleneck; self.mask = mask
        }
        enum CodingKeys: String, CodingKey { case encoder, decoder, bottleneck, mask }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            encoder = try c.decode(Int.self, forKey: .encoder)
            self.decoder = try c.decode(Int.self, forKey: .decoder)
            bottleneck = try c.decode(Int.self, forKey: .bottleneck)
            // Models saved before the mask heads have none.
            mask = try c.decodeIfPresent(Int.self, forKey: .mask) ?? 0
        }
    }

    public struct VQ: Codable, Equatable, Sendable {
        public var enabled: Bool
        public var codebookSize: Int
        /// Channels of the bottleneck grid (also used when VQ is off, so both variants match).
        public var codeDim: Int
        public var commitment: Float
        public var emaDecay: Float
        public init(enabled: Bool = true, codebookSize: Int = 1024, codeDim: Int = 64, commitment: Float = 0.25,
                    emaDecay: Float = 0.99) {
            self.enabled = enabled; self.codebookSize = codebookSize; self.codeDim = codeDim
            self.commitment = commitment; self.emaDecay = emaDecay
        }
        enum CodingKeys: String, CodingKey {
            case enabled, codebookSize = "codebook_size", codeDim = "code_dim", commitment, emaDecay = "ema_decay"
        }
    }

    public struct Codec: Codable, Equatable, Sendable {
        /// e.g. "taef2"; `sha256` of the codec weights ties the model to the latents it learned.
        public var id: String
        public var sha256: String
        /// Latent channels C and downscale factor (8 for TAEF2 / SD VAE).
        public var channels: Int
        public var downscale: Int
        public init(id: String, sha256: String, channels: Int, downscale: Int = 8) {
            self.id = id; self.sha256 = sha256; self.channels = channels; self.downscale = downscale
        }
    }

    public var format = "plateswap-model"
    public var version = 1
    public var archetype: Archetype
    public var inter: Inter
    /// ICNR initialisation of the convolutions before each pixel shuffle (only shapes a new model).
    public var icnr: Bool
    public var initialisation: Initialisation
    public var dims: Dims
    public var vq: VQ
    public var codec: Codec
    /// Crop size S in pixels; the model sees C x S/8 x S/8 latents.
    public var resolution: Int
    public var faceType: String
    /// Weight of pixels outside the face mask in the latent MSE (the face counts 1).
    public var backgroundWeight: Float
    /// Extra stride-2 stages in front of the encoder and pixel-shuffle stages after the decoder:
    /// 0 for latents; 3 turns the same network into its pixel-space twin (benchmark only).
    public var extraStages: Int

    /// The defaults are a new model's (train.yaml's when it leaves a key out). liae: on the demo pair
    /// it keeps the identity and follows the plate better than df at equal held-out fidelity
    /// (BENCHMARKS.md "DF or LIAE").
    public init(archetype: Archetype = .liae, inter: Inter = .dense, icnr: Bool = true, initialisation: Initialisation = .he,
                dims: Dims = Dims(), vq: VQ = VQ(), codec: Codec, resolution: Int, faceType: String = "whole_face",
                backgroundWeight: Float = 0.25, extraStages: Int = 0) {
        self.archetype = archetype; self.inter = inter; self.icnr = icnr; self.initialisation = initialisation
        self.dims = dims; self.vq = vq; self.codec = codec
        self.resolution = resolution; self.faceType = faceType; self.backgroundWeight = backgroundWeight
        self.extraStages = extraStages
    }

    enum CodingKeys: String, CodingKey {
        case format, version, archetype, inter, icnr, initialisation = "init", dims, vq, codec, resolution, faceType = "face_type"
        case backgroundWeight = "background_weight", extraStages = "extra_stages"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        archetype = try c.decode(Archetype.self, forKey: .archetype)
        // config.json files written before the dense inter describe the conv one.
        inter = try c.decodeIfPresent(Inter.self, forKey: .inter) ?? .conv
        icnr = try c.decodeIfPresent(Bool.self, forKey: .icnr) ?? false
        initialisation = try c.decodeIfPresent(Initialisation.self, forKey: .initialisation) ?? .he
        dims = try c.decode(Dims.self, forKey: .dims)
        vq = try c.decode(VQ.self, forKey: .vq)
        codec = try c.decode(Codec.self, forKey: .codec)
        resolution = try c.decode(Int.self, forKey: .resolution)
        faceType = try c.decode(String.self, forKey: .faceType)
        backgroundWeight = try c.decode(Float.self, forKey: .backgroundWeight)
        extraStages = try c.decode(Int.self, forKey: .extraStages)
    }

    /// Latent grid side (S / downscale).
    public var latentSize: Int { resolution / codec.downscale }
    /// Bottleneck grid side (where the codes are quantized): a quarter of the latent side. The conv
    /// layout halves the latents twice; the dense one halves them three times (the encoder's
    /// output, `denseSide`) and its inter upscales once. The pixel twin's input is 2^extraStages
    /// times the latent side and its extra stages halve it back, so the grid matches.
    public var gridSize: Int { latentSize >> 2 }
    /// Side of the dense layout's encoder output and of the inter's dense reshape (DFL's lowest_dense_res).
    public var denseSide: Int { latentSize >> 3 }

    /// Checks the numbers; `source` names the file in errors.
    public func validate(source: String) throws {
        func fail(_ field: String, _ why: String) throws -> Never {
            throw SwapModelError.invalidConfig(file: source, field: field, reason: why)
        }
        if format != "plateswap-model" { try fail("format", "expected \"plateswap-model\", found \"\(format)\"") }
        if version != 1 { try fail("version", "unsupported version \(version)") }
        if dims.mask < 0 || dims.mask > 4096 { try fail("dims.mask", "\(dims.mask) is outside 0...4096") }
        for (field, value) in [("dims.encoder", dims.encoder), ("dims.decoder", dims.decoder),
                               ("dims.bottleneck", dims.bottleneck), ("vq.code_dim", vq.codeDim),
                               ("codec.channels", codec.channels), ("codec.downscale", codec.downscale)]
            where value < 1 || value > 4096 {
            try fail(field, "\(value) is outside 1...4096")
        }
        if vq.codebookSize < 2 || vq.codebookSize > 65536 { try fail("vq.codebook_size", "\(vq.codebookSize) is outside 2...65536") }
        if !(vq.emaDecay > 0 && vq.emaDecay < 1) { try fail("vq.ema_decay", "must be in (0, 1)") }
        if !(vq.commitment >= 0) { try fail("vq.commitment", "must be >= 0") }
        if extraStages < 0 || extraStages > 4 { try fail("extra_stages", "\(extraStages) is outside 0...4") }
        let multiple = codec.downscale << ((inter.isDense ? 3 : 2) + extraStages)
        if resolution < multiple || resolution > 4096 || resolution % multiple != 0 {
            try fail("resolution", "\(resolution) must be a multiple of \(multiple) up to 4096")
        }
    }
}

/// Errors of the swap model, its directory and its trainer; each names the file and the field.
public enum SwapModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(file: String, field: String, reason: String)
    case missingFile(String)
    case corruptFile(file: String, reason: String)
    case weightMismatch(file: String, name: String, reason: String)
    case shapeMismatch(what: String, expected: [Int], found: [Int])
    case invalidData(String)
    case codecMismatch(model: String, trained: String, given: String)
    /// A model directory whose checkpoint cannot be used: `problem` names the file and what is
    /// wrong; `backup` is the newest intact backup folder, if any.
    case damagedCheckpoint(problem: String, backup: String?, backupIteration: Int?)

    public var description: String {
        switch self {
        case let .invalidConfig(file, field, reason): return "\(file): field '\(field)': \(reason)"
        case let .missingFile(file): return "\(file): missing"
        case let .corruptFile(file, reason): return "\(file): \(reason)"
        case let .weightMismatch(file, name, reason): return "\(file): tensor '\(name)': \(reason)"
        case let .shapeMismatch(what, expected, found): return "\(what): expected shape \(expected), found \(found)"
        case let .invalidData(reason): return reason
        case let .codecMismatch(model, trained, given):
            return "\(model): trained with codec \(trained), but the codec given is \(given); latents of other weights mean nothing to it"
        case let .damagedCheckpoint(problem, backup, iteration):
            return "\(problem); the model's checkpoint is damaged and "
                + (backup.map { "its newest intact backup is \($0) (iteration \(iteration ?? 0))" } ?? "no backup of it is intact")
        }
    }
}
