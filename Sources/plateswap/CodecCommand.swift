import ArgumentParser
import Foundation
import LatentSwapModel
import Neural
import ShotPipeline
import Support

/// `plateswap codec roundtrip|encode|decode`: run a latent codec on single images.
struct CodecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Encode images to codec latents and decode them back (TAEF2, TAESD, SD VAE).",
        subcommands: [Roundtrip.self, Encode.self, Decode.self])

    struct Roundtrip: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode an image and decode it again; logs the PSNR of the round trip.")
        @Argument(help: "Input image: PNG (sRGB code values) or EXR (linear Rec.709); sides multiples of 8.") var input: String
        @Argument(help: "Output image: PNG or EXR.") var output: String
        @OptionGroup var options: CodecOptions
        @Option(help: "Bits per channel of the output PNG (8 or 16).") var bitDepth = 8
        @Flag(help: "Print a JSON summary on stdout.") var json = false

        func run() throws {
            try CodecFiles.checkImagePath(output)
            try options.refuseOverwriting(input, with: output)
            let codec = try options.load()
            let picture = try CodecFiles.readImage(input, downscale: codec.downscale)
            let image = picture.tensor
            let start = Date()
            let latents = try codec.encode(image)
            let encoded = Date()
            let decoded = try codec.decode(latents).map { min(max($0, 0), 1) }
            let finished = Date()
            try CodecFiles.writeImage(decoded, to: output, bitDepth: bitDepth, exrHeader: picture.exrHeader)
            let psnr = CodecFiles.psnr(decoded, image)
            let id = try codec.id
            Log.info("codec \(id): \(input) -> latents \(latents.shape) -> \(output), PSNR \(String(format: "%.2f", psnr)) dB, "
                     + "encode \(Int(encoded.timeIntervalSince(start) * 1000)) ms, decode \(Int(finished.timeIntervalSince(encoded) * 1000)) ms")
            if json {
                let summary: [String: Any] = [
                    "codec": codec.name, "codec_id": id, "input": input, "output": output, "latent_shape": latents.shape,
                    "psnr_db": (psnr * 100).rounded() / 100, "encode_ms": Int(encoded.timeIntervalSince(start) * 1000),
                    "decode_ms": Int(finished.timeIntervalSince(encoded) * 1000),
                ]
                let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode a PNG (pixels / 255, no resize) to a safetensors file with tensor `latents` (1 x C x h x w).")
        @Argument(help: "Input PNG.") var input: String
        @Argument(help: "Output .safetensors.") var output: String
        @OptionGroup var options: CodecOptions

        func run() throws {
            try options.refuseOverwriting(input, with: output)
            let codec = try options.load()
            let latents = try codec.encode(try CodecFiles.readImage(input, downscale: codec.downscale).tensor)
            try CodecFiles.writeLatents(latents, codec: codec, to: output)
            let id = try codec.id
            Log.info("codec \(id): \(input) -> \(output) latents \(latents.shape)")
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode the tensor `latents` (1 x C x h x w) of a safetensors file to a PNG (clamped to [0,1]).")
        @Argument(help: "Input .safetensors holding `latents`.") var input: String
        @Argument(help: "Output PNG.") var output: String
        @OptionGroup var options: CodecOptions
        @Option(help: "Bits per channel of the output PNG (8 or 16).") var bitDepth = 8

        func run() throws {
            try CodecFiles.checkImagePath(output)
            try options.refuseOverwriting(input, with: output)
            let codec = try options.load()
            let latents = try CodecFiles.readLatents(input, codec: codec)
            let decoded = try codec.decode(latents).map { min(max($0, 0), 1) }
            try CodecFiles.writeImage(decoded, to: output, bitDepth: bitDepth)
            let id = try codec.id
            Log.info("codec \(id): \(input) latents \(latents.shape) -> \(output)")
        }
    }
}

/// Options every `codec` subcommand shares: which codec, its files, and tiling.
struct CodecOptions: ParsableArguments {
    @Option(help: "Codec: taef2 (default), taesd or sdvae.") var codec: CodecKind = .taef2
    @Option(help: "Weights file or folder instead of the model search path.") var weights: String?
    @Option(help: "diffusers config.json of an SD VAE (default: config.json beside the weights, else SD-1.x).") var config: String?
    @Option(help: "Tile side in pixels for large images (multiple of 8; 0 = never tile).") var tile = 512
    @Option(help: "Overlap of neighbouring tiles in pixels (multiple of 8).") var overlap = 64

    func load() throws -> LatentCodec {
        let codec = try CodecLoader.load(self.codec, weights: weights.map { URL(fileURLWithPath: $0) },
                                         config: config.map { URL(fileURLWithPath: $0) })
        return tile > 0 ? try TiledCodec(codec, tile: tile, overlap: overlap) : codec
    }

    /// Exit 2 before loading anything when `output` is the input file or one of the codec's files,
    /// however spelled (see `InputGuard`).
    func refuseOverwriting(_ input: String, with output: String) throws {
        var inputs = InputGuard()
        inputs.addInput(URL(fileURLWithPath: input), role: "the input")
        for (path, role) in [(weights, "--weights"), (config, "--config")] {
            guard let path else { continue }
            inputs.addInput(URL(fileURLWithPath: path), role: role)
            inputs.addInputs(under: URL(fileURLWithPath: path), role: role)
        }
        try inputs.check(output: URL(fileURLWithPath: output), role: "the output")
    }
}
