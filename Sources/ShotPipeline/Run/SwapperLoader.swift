import Foundation
import Imaging
import LatentSwapModel
import Neural

/// Builds the swapper a shot asks for.
public enum SwapperLoader {
    /// The crop size a run of the shot cuts, without loading weights: `face.size`, else the
    /// model's resolution (its config.json), else 256 (the identity swap's default).
    public static func cropSize(_ config: ShotConfig) -> Int {
        config.face.size ?? (try? ModelDirectory(url: config.model.path).loadConfig().resolution) ?? 256
    }

    /// `identity`: no networks (see `IdentitySwapper`), crop size from `face.size` or 256.
    /// Otherwise the trained model of `model.path` with the codec it was trained with: a
    /// `model.codec` naming another codec, or codec weights other than the training ones, is a
    /// configuration error; so are a `face.size` other than the model's resolution and another
    /// `face.type` than the model's. A damaged checkpoint is one too, unless `model.allow_backup`
    /// or `useBackup` (`--use-backup`) lets the newest intact backup render (the report names it).
    public static func load(_ config: ShotConfig, identity: Bool, useBackup: Bool = false,
                            searchPath: ModelSearchPath = .standard()) throws -> FaceSwapper {
        if identity { return IdentitySwapper(cropSize: config.face.size ?? 256) }
        let directory = config.model.path
        let model: SwapModel
        do { model = try SwapModel.load(directory: directory, allowBackup: useBackup || config.model.allowBackup) } catch {
            var message = "model.path: cannot load the swap model: \(error)"
            if case .damagedCheckpoint(_, _?, _)? = error as? SwapModelError {
                message += "; to render with it, set model.allow_backup: true in \(config.source.lastPathComponent) or pass --use-backup"
            }
            throw PipelineError.configuration(message)
        }
        guard let trained = CodecKind(rawValue: model.codecName) else {
            throw PipelineError.configuration("model.path: \(directory.path) was trained with codec '\(model.codecName)', which this plateswap does not know")
        }
        if let asked = config.model.codec, asked != trained {
            throw PipelineError.configuration("model.codec: the shot asks for \(asked.rawValue) but \(directory.lastPathComponent) was trained with \(trained.rawValue); remove model.codec or set it to \(trained.rawValue)")
        }
        if let size = config.face.size, size != model.cropSize {
            throw PipelineError.configuration("face.size: \(size) differs from the model's resolution \(model.cropSize); remove face.size or set it to \(model.cropSize)")
        }
        if config.face.type.rawValue != model.faceType {
            throw PipelineError.configuration("face.type: \(config.face.type.rawValue) differs from the face type the model was trained on (\(model.faceType))")
        }
        let codec: LatentCodec
        do {
            codec = try CodecLoader.load(trained, searchPath: searchPath)
            try model.checkCodec(codec)
        } catch {
            throw PipelineError.configuration("model.codec: \(error)")
        }
        return LatentSwapper(model: model, codec: codec)
    }
}

/// The trained model with its codec: crop -> codec encode -> swap model -> codec decode.
public final class LatentSwapper: FaceSwapper {
    public let model: SwapModel
    public let codec: LatentCodec
    /// Checkerboard energy of every swap's latents and of the plate crops' own latents, summed
    /// (their ratio goes into report.json: the crosshatch a model paints on eyes and mouth).
    private var checkerboard = (swapped: 0.0, plate: 0.0)
    private let lock = NSLock()

    public init(model: SwapModel, codec: LatentCodec) {
        self.model = model
        self.codec = codec
    }

    public var identity: String { model.identity }
    public var cropSize: Int { model.cropSize }

    public func swap(_ crop: ImageBuffer) throws -> ImageBuffer {
        var clock = StageClock()
        return try swap(crop, clock: &clock)
    }

    /// The swap with its three stages timed as `encode`, `swap` and `decode`.
    public func swap(_ crop: ImageBuffer, clock: inout StageClock) throws -> ImageBuffer {
        try swapWithMask(crop, clock: &clock).image
    }

    /// The swap and its mask head's prediction, upsampled (bilinear) from the latent grid to the crop.
    public func swapWithMask(_ crop: ImageBuffer, clock: inout StageClock) throws -> (image: ImageBuffer, mask: [Float]?) {
        let pixels = try CodecImageTensor.tensor(fromRGB: crop, source: "aligned crop")
        let latents = try clock.time("encode") { try codec.encode(pixels) }
        let (swapped, mask) = try clock.time("swap") { try model.swapWithMask(latents: latents) }
        let energies = (LatentCheckerboard.energy(swapped), LatentCheckerboard.energy(latents))
        lock.withLock { checkerboard.swapped += energies.0; checkerboard.plate += energies.1 }
        let decoded = try clock.time("decode") { try codec.decode(swapped) }
        let image = CodecImageTensor.image(fromRGB: decoded)
        let cropMask = mask.map { m -> [Float] in
            let grid = ImageBuffer(width: m.shape[3], height: m.shape[2], channels: ["A"], planes: [Array(m.data.prefix(m.shape[2] * m.shape[3]))])
            return grid.resized(width: image.width, height: image.height, filter: .bilinear).planes[0].map { min(max($0, 0), 1) }
        }
        return (image, cropMask)
    }

    /// The shot's latent checkerboard ratio so far (nil before any swap).
    public var checkerboardRatio: Double? {
        lock.withLock { checkerboard.plate > 0 ? checkerboard.swapped / checkerboard.plate : nil }
    }
}
