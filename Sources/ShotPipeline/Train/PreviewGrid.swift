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

    public init(codec: LatentCodec, folder: URL) {
        self.codec = codec
        self.folder = folder
    }

    public func file(iteration: Int) -> URL { folder.appendingPathComponent(String(format: "iteration-%09d.png", iteration)) }

    /// Decodes the preview's latents and writes `previews/iteration-N.png` and `previews/latest.png`.
    @discardableResult
    public func write(_ preview: SwapPreview) throws -> URL {
        guard let first = preview.rows.first?.first else { throw TrainRunError.mismatch("preview has no faces") }
        let columns = preview.rows[0].count
        // One codec call for the whole grid.
        let latents = Tensor(shape: [preview.rows.count * columns] + Array(first.shape.dropFirst()),
                             data: preview.rows.flatMap { $0.flatMap(\.data) })
        let images = try codec.decode(latents)
        let size = images.shape[2]
        let line = BitmapFont.size(of: " ", scale: Self.fontScale).height, header = 2 * line
        var grid = ImageBuffer(width: columns * size, height: header + preview.rows.count * size, channels: ["R", "G", "B"])
        BitmapFont.draw("ITERATION \(preview.iteration)", into: &grid, x: 0, y: 0, scale: Self.fontScale)
        for (column, label) in Self.labels.prefix(columns).enumerated() {
            BitmapFont.draw(label, into: &grid, x: column * size, y: line, scale: Self.fontScale)
        }
        for (row, _) in preview.rows.enumerated() {
            for column in 0..<columns {
                let tile = CodecImageTensor.image(fromRGB: images, index: row * columns + column)
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
}
