import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO

/// Generated face sets and a cheap stand-in codec for the `plateswap train` tests.
enum TrainFixtures {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shared: URL = {
        if let env = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: env) }
        return repo.appendingPathComponent("../shared").standardizedFileURL
    }()

    /// A face set of `count` crops: a shaded ellipse "face" of one colour per identity on a
    /// background, moved and scaled a little per face; the mask is the ellipse.
    static func makeFaceSet(at folder: URL, count: Int, size: Int = 64, hue: SIMD3<Float>, seed: UInt64,
                            faceType: FaceType = .wholeFace) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("faces"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("masks"), withIntermediateDirectories: true)
        var document = FaceSetDocument(faceType: faceType, size: size)
        var random = SeededRandom(seed: seed)
        for i in 0..<count {
            let name = String(format: "%06d.png", i)
            let (crop, mask) = face(size: size, hue: hue, random: &random)
            try PNGFile.write(crop, to: folder.appendingPathComponent("faces/" + name))
            try PNGFile.write(mask, to: folder.appendingPathComponent("masks/" + name))
            let detected = DetectedFace(box: FaceBox(x1: 0, y1: 0, x2: Float(size), y2: Float(size)), score: 0.99,
                                        points5: Array(repeating: SIMD2<Float>(0, 0), count: 5))
            document.faces.append(.init(file: "faces/" + name, mask: "masks/" + name, source: "generated.png", frame: i, faceIndex: 0,
                                        track: 0, face: detected, matrix: [[1, 0, 0], [0, 1, 0]], size: size, faceType: faceType))
        }
        try document.encoded().write(to: folder.appendingPathComponent("faceset.json"))
    }

    static func face(size: Int, hue: SIMD3<Float>, random: inout SeededRandom) -> (ImageBuffer, ImageBuffer) {
        let cx = Float(size) * (0.5 + random.uniform(-0.05, 0.05)), cy = Float(size) * (0.5 + random.uniform(-0.05, 0.05))
        let rx = Float(size) * random.uniform(0.25, 0.3), ry = Float(size) * random.uniform(0.32, 0.38)
        var crop = ImageBuffer(width: size, height: size, channels: ["R", "G", "B"])
        var mask = ImageBuffer(width: size, height: size, channels: ["R", "G", "B"])
        for y in 0..<size {
            for x in 0..<size {
                let dx = (Float(x) + 0.5 - cx) / rx, dy = (Float(y) + 0.5 - cy) / ry
                let r2 = dx * dx + dy * dy
                let inside: Float = r2 < 1 ? 1 : 0
                let shade = 0.6 + 0.4 * (1 - min(r2, 1)) - 0.15 * dy
                for c in 0..<3 {
                    let background: Float = 0.2 + 0.1 * Float(c) + 0.1 * Float(y) / Float(size)
                    crop.planes[c][y * size + x] = inside * hue[c] * shade + (1 - inside) * background
                    mask.planes[c][y * size + x] = inside
                }
            }
        }
        return (crop, mask)
    }

    /// Writes a train.yaml next to the face sets and returns its URL.
    static func writeTrainYAML(in folder: URL, extra: String = "", iterations: Int = 30) throws -> URL {
        let text = """
            model: actor.plateswap
            source: facesets/actor
            target: facesets/stunt
            codec: taef2
            resolution: 64
            archetype: df
            dims: {encoder: 8, decoder: 8, bottleneck: 16}
            vq: {enabled: true, codebook_size: 32, code_dim: 8}
            batch_size: 4
            learning_rate: 2.0e-3
            stop: {iterations: \(iterations)}
            save_every: 10
            preview_every: 10
            seed: 3
            augment: {flip: true, warped_variants: 1}
            \(extra)
            """
        let url = folder.appendingPathComponent("train.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func makeProject(at folder: URL, faces: Int = 5) throws {
        try makeFaceSet(at: folder.appendingPathComponent("facesets/actor"), count: faces, hue: [0.9, 0.7, 0.6], seed: 1)
        try makeFaceSet(at: folder.appendingPathComponent("facesets/stunt"), count: faces, hue: [0.5, 0.6, 0.9], seed: 2)
    }
}

/// A cheap, deterministic stand-in codec: 8x8 average pooling to 4 channels (R, G, B, mean),
/// decoded by repeating the pooled colour. Counts the crops it encodes.
final class PoolingCodec: LatentCodec, @unchecked Sendable {
    let name = "taef2"
    let sha: String
    let latentChannels = 4
    let downscale = 8
    private(set) var encodedImages = 0
    init(sha: String = String(repeating: "a", count: 64)) { self.sha = sha }
    var identity: CodecIdentity { CodecIdentity(name: name, sha256: sha) }

    func encode(_ images: Tensor) throws -> Tensor {
        try checkImages(images)
        let (n, _, h, w) = images.nchw("PoolingCodec")
        encodedImages += n
        let gh = h / 8, gw = w / 8
        var out = Tensor.zeros([n, 4, gh, gw])
        for b in 0..<n {
            for c in 0..<3 {
                for y in 0..<h {
                    for x in 0..<w {
                        let v = images.data[((b * 3 + c) * h + y) * w + x] / 64
                        out.data[((b * 4 + c) * gh + y / 8) * gw + x / 8] += v
                        out.data[((b * 4 + 3) * gh + y / 8) * gw + x / 8] += v / 3
                    }
                }
            }
        }
        return out
    }

    func decode(_ latents: Tensor) throws -> Tensor {
        try checkLatents(latents)
        let (n, _, gh, gw) = latents.nchw("PoolingCodec")
        return Tensor(shape: [n, 3, gh * 8, gw * 8], data: (0..<n).flatMap { b in
            (0..<3).flatMap { c in
                (0..<(gh * 8 * gw * 8)).map { i in latents.data[((b * 4 + c) * gh + (i / (gw * 8)) / 8) * gw + (i % (gw * 8)) / 8] }
            }
        })
    }
}
