import Imaging
import LatentSwapModel
import Neural

/// Decodes many faces' latents a few per codec call, for the trainer's previews and checks. A
/// whole preview grid (20 faces) in one TAEF2 call made im2col buffers of gigabytes and took 17 s
/// at 256 px; 4 faces per call take about a third of that time for the same images.
enum BatchedDecoding {
    static let facesPerCall = 4

    /// Runs `body(i, image)` for each face `i` of `latents` [N, C, H, W], in order, after `map`
    /// (a swap or a reconstruction, given each call's faces) and the codec's decode.
    static func forEachImage(of latents: Tensor, codec: LatentCodec, facesPerCall: Int = facesPerCall,
                             map: (Tensor) throws -> Tensor = { $0 }, _ body: (Int, ImageBuffer) throws -> Void) throws {
        let n = latents.shape[0], perCall = max(facesPerCall, 1)
        for start in stride(from: 0, to: n, by: perCall) {
            let part = slice(latents, axis: 0, start..<min(start + perCall, n))
            let images = try codec.decode(try map(part))
            for i in 0..<part.shape[0] { try body(start + i, CodecImageTensor.image(fromRGB: images, index: i)) }
        }
    }
}
