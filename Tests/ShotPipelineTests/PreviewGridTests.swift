import Foundation
@testable import LatentSwapModel
import Neural
import PlateIO
import XCTest
@testable import ShotPipeline

/// The preview grid decodes in small batches and decodes the unchanging input columns once.
final class PreviewGridTests: XCTestCase {
    /// PoolingCodec's decoder, counting the faces it decodes and the largest batch.
    final class CountingCodec: LatentCodec {
        let inner = PoolingCodec()
        var name: String { inner.name }
        var identity: CodecIdentity { inner.identity }
        var latentChannels: Int { inner.latentChannels }
        var downscale: Int { inner.downscale }
        private(set) var decoded = 0, largestBatch = 0
        func encode(_ images: Tensor) throws -> Tensor { try inner.encode(images) }
        func decode(_ latents: Tensor) throws -> Tensor {
            decoded += latents.shape[0]
            largestBatch = max(largestBatch, latents.shape[0])
            return try inner.decode(latents)
        }
    }

    func testGridDecodesInBatchesAndReusesTheInputColumns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("preview-grid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let codec = CountingCodec()
        let grid = PreviewGrid(codec: codec, folder: folder)
        var random = SeededRandom(seed: 7)
        func latent() -> Tensor { Tensor(shape: [1, 4, 2, 2], data: (0..<16).map { _ in random.uniform(0.05, 0.95) }) }
        let inputs = (0..<3).map { _ in (plate: latent(), actor: latent()) }
        func preview(_ iteration: Int) -> SwapPreview {
            SwapPreview(iteration: iteration, rows: inputs.map { [$0.plate, latent(), $0.actor, latent(), latent()] })
        }

        let first = preview(250)
        let url = try grid.write(first)
        XCTAssertEqual(codec.decoded, 15, "every tile decoded once")
        XCTAssertLessThanOrEqual(codec.largestBatch, 4)
        let second = preview(500)
        try grid.write(second)
        XCTAssertEqual(codec.decoded, 15 + 9, "the plate and actor columns come from the first preview")

        // Each tile is the codec's decode of its own latent: row 2's actor (cached) and swap.
        let image = try PNGFile.read(grid.file(iteration: 500))
        XCTAssertEqual(url.lastPathComponent, "iteration-000000250.png")
        let header = image.height - 3 * 16
        for column in [2, 4] {
            let expected = second.rows[2][column].data[0]   // R of the top-left latent pixel
            let value = image.planes[0][(header + 2 * 16) * image.width + column * 16]
            XCTAssertEqual(value, expected, accuracy: 1.0 / 255 + 1e-6, "column \(column)")
        }
    }
}
