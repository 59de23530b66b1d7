import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import ShotPipeline
import Support

/// File formats of the `codec` commands: PNG or EXR images, safetensors latents.
///
/// PNG code values / 255 (or / 65535) are the codec input as they are. EXR pixels are taken as
/// scene-linear Rec.709 and go through the network encoding (clamped to [0,1], sRGB transfer
/// function) on the way in, and back to linear on the way out; an EXR output keeps the input EXR's
/// header and is tagged as Linear Rec.709.
enum CodecFiles {
    /// EXR pixels are scene-linear Rec.709: the network encoding of the shot pipeline turns them
    /// into codec input and back.
    static let exrEncoding = NetworkEncoding(plate: .linearRec709)

    struct Picture {
        var tensor: Tensor
        /// The header of an EXR input, reused for an EXR output.
        var exrHeader: ExrHeader?
    }

    static func readImage(_ path: String, downscale: Int) throws -> Picture {
        let url = URL(fileURLWithPath: path)
        let image: ImageBuffer, header: ExrHeader?
        switch url.pathExtension.lowercased() {
        case "png":
            (image, header) = (try PNGFile.read(url), nil)
        case "exr":
            let (linear, exr) = try ExrImage.read(url, layer: "")
            _ = try rgbNames(linear, path)
            (image, header) = (exrEncoding.encode(linear), exr)
        default:
            throw CodecError.badFile(file: path, reason: "unknown image type '.\(url.pathExtension)' (use .png or .exr)")
        }
        guard image.width % downscale == 0, image.height % downscale == 0 else {
            throw CodecError.badFile(file: path, reason:
                "image is \(image.width)x\(image.height); the codec needs sides that are multiples of \(downscale) (images are not resized)")
        }
        return Picture(tensor: try CodecImageTensor.tensor(fromRGB: image, source: path), exrHeader: header)
    }

    static func writeImage(_ tensor: Tensor, to path: String, bitDepth: Int, exrHeader: ExrHeader? = nil) throws {
        let url = URL(fileURLWithPath: path)
        var image = CodecImageTensor.image(fromRGB: tensor)
        switch url.pathExtension.lowercased() {
        case "png":
            try PNGFile.write(image, bitDepth: bitDepth, to: url)
        case "exr":
            image = exrEncoding.decode(image)
            // Reuse the input's header only when its data window has the image's size.
            var header = exrHeader.flatMap { $0.dataWindow.width == image.width && $0.dataWindow.height == image.height ? $0 : nil }
                ?? ExrHeader(dataWindow: PixelBox(width: image.width, height: image.height))
            header.attributes.merge(PlateColorRules.outputAttributes(NamedColorSpace(.linearRec709))) { _, tag in tag }
            try ExrWriter.write(image, header: header, to: url)
        default:
            throw CodecError.badFile(file: path, reason: "unknown image type '.\(url.pathExtension)' (use .png or .exr)")
        }
    }

    /// Fails before any work when `path` is not a .png or .exr name.
    static func checkImagePath(_ path: String) throws {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard ext == "png" || ext == "exr" else {
            throw CodecError.badFile(file: path, reason: "unknown image type '.\(ext)' (use .png or .exr)")
        }
    }

    private static func rgbNames(_ image: ImageBuffer, _ path: String) throws -> [String] {
        guard ["R", "G", "B"].allSatisfy({ image.channelIndex($0) != nil }) else {
            throw CodecError.badFile(file: path, reason: "needs R, G and B channels, has \(image.channelNames)")
        }
        return ["R", "G", "B"]
    }

    static func writeLatents(_ latents: Tensor, codec: LatentCodec, to path: String) throws {
        // SafeTensorsFile.write goes through a temporary file and a rename.
        try SafeTensorsFile.write(["latents": latents], to: URL(fileURLWithPath: path),
                                  metadata: ["codec": codec.name, "codec_id": try codec.id])
    }

    static func readLatents(_ path: String, codec: LatentCodec) throws -> Tensor {
        let file = try SafeTensorsFile(url: URL(fileURLWithPath: path))
        guard file.names.contains("latents") else {
            throw CodecError.badFile(file: path, reason: "no tensor 'latents' (has \(file.names.prefix(8).joined(separator: ", ")))")
        }
        let latents = try file.tensor("latents")
        let s = latents.shape
        guard s.count == 4, s[0] == 1, s[1] == codec.latentChannels, s[2] > 0, s[3] > 0 else {
            throw CodecError.badFile(file: path, reason: "tensor 'latents' has shape \(s), expected 1 x \(codec.latentChannels) x h x w for \(codec.name)")
        }
        let ours = try codec.id
        if let id = file.metadata["codec_id"], id != ours {
            Log.warning("\(path) was encoded with codec \(id), decoding with \(ours)")
        }
        return latents
    }

    /// PSNR in dB between two [0,1] images.
    static func psnr(_ a: Tensor, _ b: Tensor) -> Double {
        let mse = zip(a.data, b.data).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(max(1, a.count))
        return 10 * log10(1 / max(mse, 1e-20))
    }
}
