import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO

/// Writes a trainer preview as a PNG grid: one row per face, columns target, target
/// reconstruction, source, source reconstruction, swap (target as the source), decoded by the codec,
/// under a header with the iteration and the column labels.
public struct PreviewGrid {
    /// Column labels, in the order of `SwapTrainer.previewLatents`.
    public static let labels = ["PLATE", "PLATE REC", "ACTOR", "ACTOR REC", "SWAP"]
    static let fontScale = 2

    public let codec: LatentCodec
    public let folder: URL
    /// Faces decoded per codec call (see `BatchedDecoding`).
    var batchSize = BatchedDecoding.facesPerCall
    /// The decoded input columns (plate and actor faces), which stay the same from one preview to
    /// the next: decoded once, reused while their latents are unchanged.
    private let inputs = DecodedInputs()

    public init(codec: LatentCodec, folder: URL) {
        self.codec = codec
        self.folder = folder
    }

    public func file(iteration: Int) -> URL { folder.appendingPathComponent(String(format: "iteration-%09d.png", iteration)) }

    /// Decodes the preview's latents and writes `previews/iteration-N.png` and `previews/latest.png`.
    @discardableResult
    public func write(_ preview: SwapPreview) throws -> URL {
        guard preview.rows.first?.first != nil else { throw TrainRunError.mismatch("preview has no faces") }
        let columns = preview.rows[0].count
        let images = try decode(preview.rows.flatMap { $0 }, inputColumns: [0, 2].filter { $0 < columns }, columns: columns)
        let size = images[0].width
        let line = BitmapFont.size(of: " ", scale: Self.fontScale).height, header = 2 * line
        var grid = ImageBuffer(width: columns * size, height: header + preview.rows.count * size, channels: ["R", "G", "B"])
        BitmapFont.draw("ITERATION \(preview.iteration)", into: &grid, x: 0, y: 0, scale: Self.fontScale)
        for (column, label) in Self.labels.prefix(columns).enumerated() {
            BitmapFont.draw(label, into: &grid, x: column * size, y: line, scale: Self.fontScale)
        }
        for (row, _) in preview.rows.enumerated() {
            for column in 0..<columns {
                let tile = images[row * columns + column]
                for c in 0..<3 {
                    for y in 0..<size {
                        let dst = (header + row * size + y) * grid.width + column * size
                        for x in 0..<size { grid.planes[c][dst + x] = min(max(tile.planes[c][y * size + x], 0), 1) }
                    }
                }
            }
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = file(iteration: preview.iteration)
        try PNGFile.write(grid, bitDepth: 8, to: url)
        try PNGFile.write(grid, bitDepth: 8, to: folder.appendingPathComponent("latest.png"))
        return url
    }

    /// Every tile's image, in order; tiles of `inputColumns` come from the cache when their
    /// latents are the ones decoded before, the rest are decoded `batchSize` at a time.
    func decode(_ tiles: [Tensor], inputColumns: [Int], columns: Int) throws -> [ImageBuffer] {
        var images = [ImageBuffer?](repeating: nil, count: tiles.count)
        for (i, tile) in tiles.enumerated() where inputColumns.contains(i % columns) {
            images[i] = inputs.image(for: tile)
        }
        let missing = images.indices.filter { images[$0] == nil }
        if let first = missing.first {
            let latents = Tensor(shape: [missing.count] + Array(tiles[first].shape.dropFirst()), data: missing.flatMap { tiles[$0].data })
            try BatchedDecoding.forEachImage(of: latents, codec: codec, facesPerCall: batchSize) { k, image in
                let i = missing[k]
                images[i] = image
                if inputColumns.contains(i % columns) { inputs.store(image, for: tiles[i]) }
            }
        }
        return images.map { $0! }
    }
}

/// Decoded preview inputs keyed by their latents (compared in full: a handful of 32 K-value tensors).
private final class DecodedInputs {
    private var entries: [(latent: [Float], image: ImageBuffer)] = []

    func image(for latent: Tensor) -> ImageBuffer? { entries.first { $0.latent == latent.data }?.image }

    func store(_ image: ImageBuffer, for latent: Tensor) {
        entries.append((latent.data, image))
        if entries.count > 64 { entries.removeFirst() }
    }
}
