import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import Support

/// A face set's training data as latents: every crop's variants (`CropVariants`) encoded with the
/// codec, masks averaged down to the latent grid, cached in the face set at
/// `latents/<codec id>/<S>px/<face>.safetensors`. The codec id carries the codec weights' SHA-256,
/// and each file records a key made of its crop's and mask's SHA-256 and the variant settings, so
/// only new or changed faces are encoded again.
public struct FaceSetLatents {
    public let folder: URL
    /// The face set's faceset.json (less the faces `keepOnly` left out).
    public private(set) var document: FaceSetDocument
    public let codec: LatentCodec
    public let size: Int
    public let variants: CropVariants
    /// Crops encoded per codec call.
    public var batchSize = 8
    /// Polled between codec calls: a signal stops the encoding, keeping every face encoded so far.
    public var stop: StopSignals = .shared

    public init(folder: URL, codec: LatentCodec, size: Int, variants: CropVariants) throws {
        let file = folder.appendingPathComponent("faceset.json")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw TrainRunError.badFaceSet(file.path, "missing: not a face set made by `plateswap extract`")
        }
        do { document = try FaceSetDocument.read(from: file) } catch let FaceAlignError.badFile(path, reason) {
            throw TrainRunError.badFaceSet(path, reason)
        }
        guard !document.faces.isEmpty else { throw TrainRunError.badFaceSet(file.path, "holds no faces") }
        if document.size != size {
            // Every variant, 0 included, is then a second resample of the crop `run` would feed the codec.
            let fix = (256...1024).contains(size) ? "; extract it with --size \(size)" : ""
            Log.warning("\(folder.path): face set extracted at \(document.size) px, training at \(size) px: its crops are "
                + "resampled again, so the model learns from faces filtered unlike the ones it will swap\(fix)")
        }
        self.folder = folder
        self.codec = codec
        self.size = size
        self.variants = variants
    }

    /// Trains on these faces only (indices into faceset.json's faces), e.g. `SourceMatch`'s choice;
    /// their cached latents stay where they are.
    public mutating func keepOnly(_ indices: [Int]) { document.keepOnly(indices) }

    public var cacheFolder: URL {
        get throws { folder.appendingPathComponent("latents").appendingPathComponent(try codec.id).appendingPathComponent("\(size)px") }
    }

    /// Loads every face's latents, encoding those not cached (or changed). `counts` reports how
    /// many faces came from the cache and how many were encoded.
    public func load(name: String) throws -> (set: LatentFaceSet, cached: Int, encoded: Int) {
        let cache = try cacheFolder
        StaleTemporaries.remove(in: [cache])
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        var faces = [[LatentSample]?](repeating: nil, count: document.faces.count)
        var pending: [(index: Int, key: String, cacheFile: URL)] = []
        for (i, entry) in document.faces.enumerated() {
            let key = try cacheKey(entry)
            let cacheFile = cache.appendingPathComponent(FaceSetLatents.stem(entry.file) + ".safetensors")
            if let samples = readCache(cacheFile, key: key) { faces[i] = withPriorities(samples, entry) } else { pending.append((i, key, cacheFile)) }
        }
        if !pending.isEmpty {
            let codecID = try codec.id
            Log.info("\(name): encoding \(pending.count) of \(document.faces.count) faces x \(variants.count) variants with \(codecID)")
        }
        let started = Date()
        for chunk in stride(from: 0, to: pending.count, by: max(1, batchSize / variants.count)) {
            try stop.check("while encoding \(name): \(pending.count - chunk) of \(document.faces.count) faces left to encode "
                + "(\(document.faces.count - pending.count + chunk) cached in \(cache.path); a rerun encodes only the rest)")
            if chunk > 0 {
                let rate = Double(chunk) / max(Date().timeIntervalSince(started), 1e-9)
                Log.info("\(name): encoded \(chunk)/\(pending.count) faces, " + String(format: "%.2f faces/s", rate)
                    + ", ETA " + Progress.clock(Double(pending.count - chunk) / max(rate, 1e-9)))
            }
            let part = pending[chunk..<min(chunk + max(1, batchSize / variants.count), pending.count)]
            let rendered = try part.map { try render(document.faces[$0.index]) }
            let images = Tensor(shape: [part.count * variants.count, 3, size, size], data: rendered.flatMap { $0.images })
            let latents = try codec.encode(images)
            let perFace = latents.count / part.count
            for (j, item) in part.enumerated() {
                let faceLatents = Tensor(shape: [variants.count] + Array(latents.shape.dropFirst()),
                                         data: Array(latents.data[(j * perFace)..<((j + 1) * perFace)]))
                let masks = rendered[j].masks
                try SafeTensorsFile.write(["latents": faceLatents, "masks": masks], to: item.cacheFile, metadata: ["key": item.key])
                faces[item.index] = withPriorities(FaceSetLatents.samples(latents: faceLatents, masks: masks), document.faces[item.index])
            }
        }
        return (LatentFaceSet(name: name, faces: faces.map { $0! }), document.faces.count - pending.count, pending.count)
    }

    /// Crop and mask digests plus everything else that shapes the cached tensors.
    func cacheKey(_ entry: FaceSetDocument.Entry) throws -> String {
        let crop = try digest(entry.file), mask = try digest(entry.mask)
        return SHA256.hex("\(crop) \(mask) \(size) \(variants.key)")
    }

    private func digest(_ relative: String) throws -> String {
        let url = folder.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainRunError.badFaceSet(folder.appendingPathComponent("faceset.json").path, "\(relative) is missing")
        }
        return try SHA256.hex(fileAt: url)
    }

    private func readCache(_ url: URL, key: String) -> [LatentSample]? {
        guard FileManager.default.fileExists(atPath: url.path), let file = try? SafeTensorsFile(url: url),
              file.metadata["key"] == key,
              let latents = try? file.tensor("latents"), let masks = try? file.tensor("masks"),
              latents.rank == 4, latents.shape[0] == variants.count, latents.shape[1] == codec.latentChannels,
              latents.shape[2] == size / codec.downscale, masks.shape == [variants.count, 1, latents.shape[2], latents.shape[3]],
              latents.data.allSatisfy(\.isFinite)
        else { return nil }
        return FaceSetLatents.samples(latents: latents, masks: masks)
    }

    static func samples(latents: Tensor, masks: Tensor) -> [LatentSample] {
        let v = latents.shape[0], per = latents.count / v, h = latents.shape[2], w = latents.shape[3]
        return (0..<v).map { i in
            LatentSample(latent: Tensor(shape: Array(latents.shape.dropFirst()), data: Array(latents.data[(i * per)..<((i + 1) * per)])),
                         mask: Tensor(shape: [1, h, w], data: Array(masks.data[(i * h * w)..<((i + 1) * h * w)])))
        }
    }

    /// The eyes-and-mouth coverage of every variant at the latent grid, from the face's landmarks
    /// (cheap, so computed at load rather than cached); nil without a 468-point mesh.
    func priorities(_ entry: FaceSetDocument.Entry) -> [Tensor]? {
        guard entry.landmarks.count >= FaceMeshTopology.pointCount, entry.matrix.count == 2, entry.matrix.allSatisfy({ $0.count == 3 }), entry.size > 0 else { return nil }
        let plane = eyesAndMouthMask(landmarks: entry.landmarks.map { SIMD3($0[0], $0[1], $0.count > 2 ? $0[2] : 0) },
                                     transform: Imaging.AffineTransform(rows: entry.matrix), width: entry.size, height: entry.size)
        let image = ImageBuffer(width: entry.size, height: entry.size, channels: ["R"], planes: [plane])
        let grid = size / codec.downscale
        return (0..<variants.count).map { v in
            let warped = variants.render(index: v, face: entry.file, image: image, size: size)
            return Tensor(shape: [1, grid, grid], data: FaceSetLatents.boxAverage(warped.planes[0], size: size, factor: codec.downscale))
        }
    }

    private func withPriorities(_ samples: [LatentSample], _ entry: FaceSetDocument.Entry) -> [LatentSample] {
        guard let priorities = priorities(entry), priorities.count == samples.count else { return samples }
        return zip(samples, priorities).map { LatentSample(latent: $0.latent, mask: $0.mask, priority: $1) }
    }

    /// Every variant of one face: sRGB crops [V*3*S*S] for the codec and masks [V, 1, S/8, S/8].
    func render(_ entry: FaceSetDocument.Entry) throws -> (images: [Float], masks: Tensor) {
        let cropURL = folder.appendingPathComponent(entry.file), maskURL = folder.appendingPathComponent(entry.mask)
        let crop = try Self.readPNG(cropURL)
        let maskImage = try Self.readPNG(maskURL)
        guard crop.width == crop.height, maskImage.width == crop.width, maskImage.height == crop.height else {
            throw TrainRunError.badFaceSet(cropURL.path, "crop \(crop.width)x\(crop.height) and mask \(maskImage.width)x\(maskImage.height) must be the same square size")
        }
        let mask = maskImage.selecting(["R"])
        let rgb = crop.selecting(["R", "G", "B"])
        let grid = size / codec.downscale
        var images: [Float] = [], masks: [Float] = []
        for v in 0..<variants.count {
            let out = variants.render(index: v, face: entry.file, crop: rgb, mask: mask, size: size)
            for plane in out.crop.planes { images += plane.map { min(max($0, 0), 1) } }
            masks += FaceSetLatents.boxAverage(out.mask.planes[0], size: size, factor: codec.downscale)
        }
        return (images, Tensor(shape: [variants.count, 1, grid, grid], data: masks))
    }

    /// A crop or mask of the face set; one that does not decode is a bad face set (exit 2), named.
    static func readPNG(_ url: URL) throws -> ImageBuffer {
        do { return try PNGFile.read(url) } catch {
            throw TrainRunError.badFaceSet(url.path, "cannot be decoded as a PNG (damaged or truncated); extract the face set again")
        }
    }

    /// Averages `factor` x `factor` blocks: the mask at latent resolution.
    static func boxAverage(_ plane: [Float], size: Int, factor: Int) -> [Float] {
        let grid = size / factor
        var out = [Float](repeating: 0, count: grid * grid)
        for y in 0..<size {
            for x in 0..<size { out[(y / factor) * grid + x / factor] += plane[y * size + x] }
        }
        let area = Float(factor * factor)
        return out.map { $0 / area }
    }

    /// `faces/000123.png` -> `000123`.
    static func stem(_ file: String) -> String {
        ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}

extension FaceSetDocument {
    /// Only these faces (indices into `faces`), in that order.
    mutating func keepOnly(_ indices: [Int]) { faces = indices.map { faces[$0] } }
}
