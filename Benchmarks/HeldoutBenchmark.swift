// Suite `swap-heldout`: reconstruction quality of a trained swap model on faces it never saw.
// Each aligned crop of a face set (faces/NNNNNN.png, masks/NNNNNN.png from `plateswap extract`)
// goes image -> codec encode -> model (decoded as its own identity) -> codec decode, and is
// compared with the crop: PSNR over the whole crop and inside the face mask, next to the codec
// alone (encode -> decode), which bounds what any latent model can reach.
// Env: PLATESWAP_EVAL_MODEL (model directories, comma-separated: the codec pass is shared), PLATESWAP_EVAL_EVERY
// (every Nth face, default 1), PLATESWAP_EVAL_SOURCE / PLATESWAP_EVAL_TARGET
// (held-out face sets of each identity), optional PLATESWAP_EVAL_STRIP (PNG path; per model NAME.K.png,
// the first faces of each identity as rows of crop | codec | model).
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import Support

enum HeldoutBenchmark {
    struct Scores {
        var count = 0
        var codecCrop = 0.0, codecMask = 0.0, modelCrop = 0.0, modelMask = 0.0

        mutating func add(codec: (Double, Double), model: (Double, Double)) {
            count += 1
            codecCrop += codec.0; codecMask += codec.1; modelCrop += model.0; modelMask += model.1
        }
    }

    /// (PSNR over the crop, PSNR inside the mask) of `b` against `a`, images [1, 3, H, W] in [0,1]
    /// (b clamped as it would be displayed); `mask` [H * W] in [0,1].
    static func psnr(_ a: Tensor, _ b: Tensor, mask: [Float]) -> (Double, Double) {
        let plane = mask.count
        var all = 0.0, inside = 0.0, weight = 0.0
        for c in 0..<3 {
            for i in 0..<plane {
                let d = Double(a.data[c * plane + i] - min(max(b.data[c * plane + i], 0), 1))
                all += d * d
                inside += Double(mask[i]) * d * d
                if c == 0 { weight += Double(mask[i]) }
            }
        }
        func db(_ mse: Double) -> Double { 10 * log10(1 / max(mse, 1e-12)) }
        return (db(all / Double(3 * plane)), db(inside / max(3 * weight, 1e-12)))
    }

    static func run() throws {
        let env = ProcessInfo.processInfo.environment
        guard let modelPaths = env["PLATESWAP_EVAL_MODEL"]?.split(separator: ",").map(String.init) else {
            // Needs a trained model: skipped when the suites run all at once.
            Log.warning("swap-heldout: skipped; set PLATESWAP_EVAL_MODEL (and PLATESWAP_EVAL_SOURCE / _TARGET)")
            return
        }
        let every = max(1, Int(env["PLATESWAP_EVAL_EVERY"] ?? "") ?? 1)
        let models = try modelPaths.map { try ModelDirectory(url: URL(fileURLWithPath: $0)).loadModel() }
        let codecName = String(models[0].config.codec.id.split(separator: "-").first ?? "taef2")
        guard let kind = CodecKind(rawValue: codecName) else {
            throw SwapBenchError("\(modelPaths[0])/config.json: codec '\(models[0].config.codec.id)' is not a known codec")
        }
        let codec = try CodecLoader.load(kind)
        let resolution = models[0].config.resolution
        var strips = [[[ImageBuffer]]](repeating: [], count: models.count)
        print("swap-heldout: codec \(try codec.id), every \(every). face; models: "
            + zip(modelPaths, models).map { "\($0) (VQ \($1.quantizer == nil ? "off" : "on"))" }.joined(separator: ", "))
        print("| model | identity | held-out faces | codec alone: PSNR crop / mask (dB) | model: PSNR crop / mask (dB) |")
        print("|---|---|---|---|---|")
        for (identity, key) in [(SwapAutoencoder.Identity.source, "PLATESWAP_EVAL_SOURCE"), (.target, "PLATESWAP_EVAL_TARGET")] {
            guard let setPath = env[key] else { continue }
            let faces = URL(fileURLWithPath: setPath).appendingPathComponent("faces")
            let files = try FileManager.default.contentsOfDirectory(atPath: faces.path).filter { $0.hasSuffix(".png") }.sorted()
            var scores = [Scores](repeating: Scores(), count: models.count)
            for (n, file) in files.enumerated() where n % every == 0 {
                let crop = try PNGFile.read(faces.appendingPathComponent(file))
                let mask = try PNGFile.read(URL(fileURLWithPath: setPath).appendingPathComponent("masks/\(file)")).planes[0]
                guard crop.width == resolution, crop.height == resolution else {
                    throw SwapBenchError("\(faces.path)/\(file): \(crop.width)x\(crop.height) crop, the models were trained at \(resolution)")
                }
                let image = try CodecImageTensor.tensor(fromRGB: crop, source: file)
                let latents = try codec.encode(image)
                let throughCodec = try codec.decode(latents)
                let codecScore = psnr(image, throughCodec, mask: mask)
                for (m, model) in models.enumerated() {
                    let throughModel = try codec.decode(model.decode(latents, as: identity))
                    scores[m].add(codec: codecScore, model: psnr(image, throughModel, mask: mask))
                    if n / every < 2 {
                        strips[m].append([crop, CodecImageTensor.image(fromRGB: throughCodec), CodecImageTensor.image(fromRGB: throughModel)])
                    }
                }
            }
            for (m, score) in scores.enumerated() {
                let k = Double(max(score.count, 1))
                print("| \(modelPaths[m]) | \(identity == .source ? "source" : "target") (\(setPath)) | \(score.count) | "
                    + String(format: "%.2f / %.2f | %.2f / %.2f |", score.codecCrop / k, score.codecMask / k,
                             score.modelCrop / k, score.modelMask / k))
            }
        }
        if let path = env["PLATESWAP_EVAL_STRIP"] {
            for (m, strip) in strips.enumerated() where !strip.isEmpty {
                let url = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("\(m).png")
                try PNGFile.write(grid(strip, side: resolution), bitDepth: 8, to: url)
                print("swap-heldout: wrote \(url.path) for \(modelPaths[m]) (rows: held-out faces; columns: crop, codec alone, model)")
            }
        }
    }

    /// Rows of equal-size RGB tiles as one image.
    static func grid(_ rows: [[ImageBuffer]], side: Int) -> ImageBuffer {
        let columns = rows.map(\.count).max() ?? 0
        let width = columns * side, height = rows.count * side
        var planes = [[Float]](repeating: [Float](repeating: 0, count: width * height), count: 3)
        for (r, row) in rows.enumerated() {
            for (c, tile) in row.enumerated() {
                for ch in 0..<3 {
                    for y in 0..<side {
                        for x in 0..<side {
                            planes[ch][(r * side + y) * width + c * side + x] = tile.planes[ch][y * side + x]
                        }
                    }
                }
            }
        }
        return ImageBuffer(width: width, height: height, channels: ["R", "G", "B"], planes: planes)
    }
}

/// A bad setting or input of the swap suites (names the variable or file).
struct SwapBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
