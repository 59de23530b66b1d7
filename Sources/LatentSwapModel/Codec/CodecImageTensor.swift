import Imaging
import Neural

/// Moves pictures between `ImageBuffer` (planar, named channels) and the codecs' NCHW tensors.
public enum CodecImageTensor {
    /// The R, G, B planes of `image` as a 1 x 3 x H x W tensor, values unchanged.
    public static func tensor(fromRGB image: ImageBuffer, source: String) throws -> Tensor {
        guard let r = image.channelIndex("R"), let g = image.channelIndex("G"), let b = image.channelIndex("B") else {
            throw CodecError.badFile(file: source, reason: "needs R, G and B channels, has \(image.channelNames)")
        }
        return Tensor(shape: [1, 3, image.height, image.width], data: image.planes[r] + image.planes[g] + image.planes[b])
    }

    /// Image `index` of an N x 3 x H x W tensor as an R, G, B buffer.
    public static func image(fromRGB tensor: Tensor, index: Int = 0) -> ImageBuffer {
        let (h, w) = (tensor.shape[2], tensor.shape[3])
        let plane = h * w, base = index * 3 * plane
        let planes = (0..<3).map { c in Array(tensor.data[(base + c * plane)..<(base + (c + 1) * plane)]) }
        return ImageBuffer(width: w, height: h, channels: ["R", "G", "B"], planes: planes)
    }
}
