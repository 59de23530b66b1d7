import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import Support

/// Held-out fidelity during training: faces of the source (actor) identity that the model never
/// trains on (train.yaml `holdout`, a face set made by `plateswap extract` from other frames) are
/// reconstructed as the source, decoded by the codec, and compared with their real crops inside
/// the face mask. A good model gives them back sharp; an averaging one gives a blur.
public struct HoldoutEvaluator {
    /// Codec latents of the held-out crops [N, C, S/8, S/8].
    public let latents: Tensor
    /// The crops as the codec saw them (display-encoded RGB, S x S) and their face masks.
    public let crops: [ImageBuffer]
    public let masks: [[Float]]
    let codec: LatentCodec
    /// Faces decoded per codec call.
    var batchSize = BatchedDecoding.facesPerCall

    /// Loads (and caches, as for training) the latents of every face of `folder` at `size`.
    public init(folder: URL, codec: LatentCodec, size: Int, stop: StopSignals = .shared) throws {
        let plain = CropVariants(flip: false, warped: 0)
        var faces = try FaceSetLatents(folder: folder, codec: codec, size: size, variants: plain)
        faces.stop = stop
        let set = try faces.load(name: "holdout").set
        let c = codec.latentChannels, side = size / codec.downscale
        latents = Tensor(shape: [set.faces.count, c, side, side], data: set.faces.flatMap { $0[0].latent.data })
        var crops: [ImageBuffer] = [], masks: [[Float]] = []
        for entry in faces.document.faces {
            let crop = try FaceSetLatents.readPNG(folder.appendingPathComponent(entry.file)).selecting(["R", "G", "B"])
            let mask = try FaceSetLatents.readPNG(folder.appendingPathComponent(entry.mask)).selecting(["R"])
            let out = plain.render(index: 0, face: entry.file, crop: crop, mask: mask, size: size)
            var clamped = out.crop
            for p in clamped.planes.indices { clamped.planes[p] = clamped.planes[p].map { min(max($0, 0), 1) } }
            crops.append(clamped)
            masks.append(out.mask.planes[0])
        }
        (self.crops, self.masks, self.codec) = (crops, masks, codec)
    }

    /// Reconstructs every held-out face through `model` as the source and scores it.
    public func evaluate(_ model: SwapAutoencoder, iteration: Int) throws -> TrainState.QualityRecord {
        var scores: [FaceQualityScores] = [], checkerboard = 0.0
        let n = latents.shape[0]
        try BatchedDecoding.forEachImage(of: latents, codec: codec, facesPerCall: batchSize, map: { part in
            let output = model.decode(part, as: .source)
            checkerboard += LatentCheckerboard.energy(output) * Double(part.shape[0])
            return output
        }) { i, image in
            if let s = FaceQuality.measure(output: image, reference: crops[i], mask: masks[i]) { scores.append(s) }
        }
        guard let pooled = FaceQualityScores.pooled(scores) else {
            throw TrainRunError.mismatch("holdout: no face has a mask to measure in")
        }
        return TrainState.QualityRecord(iteration: iteration, faces: scores.count, psnr: pooled.psnr, ssim: pooled.ssim,
                                        detail: pooled.detail, gms: pooled.gms,
                                        checkerboard: checkerboard / Double(n) / LatentCheckerboard.energy(latents))
    }

    /// One log line.
    public static func describe(_ q: TrainState.QualityRecord) -> String {
        String(format: "holdout (%d faces) at iteration %d: PSNR %.2f dB, SSIM %.4f, detail %.3f, GMS %.4f, latent checkerboard %.2f",
               q.faces, q.iteration, q.psnr, q.ssim, q.detail, q.gms, q.checkerboard)
    }
}
