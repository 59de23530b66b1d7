// Suite `pipeline`: seconds per 1920x1080 and 3840x2160 frame of a whole `plateswap` shot run
// (tracking included) with one face at 512 px crops, split by stage, each stage also timed alone,
// and the ratio whole / sum of the stages alone. The plate is the s18 frame scaled up (ffmpeg),
// made scene-linear and written as PIZ half EXRs; the swap model has the default train.yaml size
// (df, 64/64/256, VQ 1024 x 64) with random weights, over the real TAEF2 codec.
import Compositor
import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import ShotPipeline

enum PipelineBenchmark {
    static let frames = [1001, 1002]

    static func run() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-bench-pipeline-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let codec = try CodecLoader.load(.taef2)
        let model = SwapModelConfig(archetype: .df, codec: .init(id: "taef2", sha256: try codec.identity.sha256, channels: codec.latentChannels),
                                    resolution: 512)
        let modelURL = work.appendingPathComponent("bench.plateswap")
        try ModelDirectory(url: modelURL).save(model: SwapAutoencoder(config: model, seed: 1), optimizer: nil,
                                               state: TrainState(seed: 1, learningRate: 5e-5))
        print("pipeline: seconds per frame, one face, 512 px crops, TAEF2 + random-weight default swap model "
            + "(\(frames.count) frames per size; stages alone: median of 3)")
        print("| frame | whole run s/frame | read | detect+landmarks | align+crop | encode | swap | decode | composite | write | sum of stages | whole / sum |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (w, h) in [(1920, 1080), (3840, 2160)] {
            try measure(width: w, height: h, work: work.appendingPathComponent("\(w)"), modelURL: modelURL)
        }
    }

    static func measure(width: Int, height: Int, work: URL, modelURL: URL) throws {
        let source = FaceBenchmark.shared.appendingPathComponent("plates/s18_png16/plate.1001.png")
        var plate = try FaceBenchmark.frames(source, width: width, height: height, count: 1, scale: true)[0]
        plate.applySRGB(encode: false)
        plate.addChannel("A", plane: [Float](repeating: 1, count: plate.pixelCount))
        let plates = work.appendingPathComponent("plates")
        try FileManager.default.createDirectory(at: plates, withIntermediateDirectories: true)
        for frame in frames {
            try ExrWriter.write(plate, to: plates.appendingPathComponent("plate.\(frame).exr"), compression: .piz, pixelType: .half)
        }
        let yaml = work.appendingPathComponent("shot.yaml")
        try """
            plate: {path: plates/plate.####.exr}
            output: {path: out/swap.####.exr, compression: piz}
            model: {path: \(modelURL.path)}
            """.write(to: yaml, atomically: true, encoding: .utf8)
        let config = try ShotConfig.load(yaml)
        let swapper = try SwapperLoader.load(config, identity: false)

        // The whole run: tracking pass, then one render pass (read, faces, swap, composite, write).
        let start = Date()
        let report = try ShotRunner(config: config, faces: TrackedFaces(), swapper: swapper).run()
        let whole = Date().timeIntervalSince(start) / Double(frames.count)
        guard report.failed.isEmpty, report.noFace.isEmpty else {
            throw PipelineError.configuration("benchmark run: failed \(report.failed), no face on \(report.noFace)")
        }

        // Each stage alone, on frame 1001.
        let sequence = try PlateSequence(config)
        let finder = try FaceFinder()
        let encoding = sequence.encoding
        let compositor = Compositor(encoding: encoding, colorTransfer: config.blend.colorTransfer,
                                    maskErode: config.blend.maskErode, maskBlur: config.blend.maskBlur)
        let latent = swapper as! LatentSwapper
        var read: PlateFrame!
        var found: [DetectedFace] = []
        var crop: ImageBuffer!, latents: Tensor!, swappedLatents: Tensor!, decoded: ImageBuffer!
        var face: SwapFace!
        var composed: ImageBuffer!
        let faces = try ShotTracks(shot: config, plate: sequence, frames: frames)
        let out = work.appendingPathComponent("alone.exr")
        let stages: [(String, () throws -> Void)] = [
            ("read", { read = try sequence.read(frame: frames[0]) }),
            ("detect+landmarks", { found = try finder.find(encoding.encode(read.image)) }),
            ("align+crop", {
                face = try faces.faces(frame: frames[0], plate: read.image, origin: read.origin, cropSize: 512)[0]
                crop = compositor.networkCrop(plate: read.image, plateToCrop: face.plateToCrop, size: 512)
            }),
            ("encode", { latents = try latent.codec.encode(try CodecImageTensor.tensor(fromRGB: crop, source: "crop")) }),
            ("swap", { swappedLatents = try latent.model.swap(latents: latents) }),
            ("decode", { decoded = CodecImageTensor.image(fromRGB: try latent.codec.decode(swappedLatents)) }),
            ("composite", {
                composed = read.image
                var layers = SwapLayers(plate: read.image, keepRaw: false)
                compositor.composite(plate: &composed, plateToCrop: face.plateToCrop, codecInput: crop, swapped: decoded,
                                     mask: face.mask, layers: &layers)
                composed.addChannel("swap.mask", plane: layers.mask)
            }),
            ("write", {
                try ExrWriter.write(composed, header: read.header, to: out, compression: .piz, pixelType: .half,
                                    channelTypes: ["swap.mask": .half])
            }),
        ]
        var alone: [Double] = []
        for (_, body) in stages {
            var runs: [Double] = []
            for _ in 0..<3 {
                let t0 = Date()
                try body()
                runs.append(Date().timeIntervalSince(t0))
            }
            alone.append(runs.sorted()[1])
        }
        guard !found.isEmpty else { throw PipelineError.configuration("no face found at \(width)x\(height)") }
        let sum = alone.reduce(0, +)
        let cells = alone.map { String(format: "%.3f", $0) }.joined(separator: " | ")
        print("| \(width)x\(height) | \(String(format: "%.3f", whole)) | \(cells) | \(String(format: "%.3f", sum)) | "
            + "\(String(format: "%.2f", whole / sum)) |")
        let inRun = report.secondsPerFrame.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value))" }
        print("  in-run render stages (s/frame, tracking pass excluded): \(inRun.joined(separator: ", "))")
    }
}
