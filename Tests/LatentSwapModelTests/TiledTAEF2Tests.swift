import Foundation
import Neural
import XCTest
@testable import LatentSwapModel

/// Tiling a real codec changes the result only a little: each tile sees less context. On a 192 px
/// face picture cut into 2 x 2 tiles, the tiled encode and decode stay close to the untiled ones.
/// The picture is the middle of upstream's decode of a real crop (golden/taef2/obama_256), clamped.
final class TiledTAEF2Tests: XCTestCase {
    func testTiledTAEF2IsCloseToUntiled() throws {
        let codec = try TinyCodecGoldenTests.taef2.get()
        let full = try SafeTensorsFile(url: TinyCodecGoldenTests.golden.appendingPathComponent("taef2/obama_256.safetensors"))
            .tensor("decoded").map { min(max($0, 0), 1) }
        let image = TiledRunner.crop(full, n: 1, c: 3, h: 256, w: 256, y0: 32, x0: 32, th: 192, tw: 192)
        let tiled = try TiledCodec(codec, tile: 128, overlap: 32)
        let latents = try codec.encode(image), tiledLatents = try tiled.encode(image)
        // Latents (values in about +-6): small mean change; a few values near tile seams move more.
        XCTAssertLessThan(CodecTestData.meanAbs(latents, tiledLatents), 0.1)
        XCTAssertLessThan(CodecTestData.maxAbs(latents, tiledLatents), 1.5)
        let decoded = try codec.decode(latents), tiledDecoded = try tiled.decode(latents)
        XCTAssertGreaterThan(CodecTestData.psnr(tiledDecoded, decoded), 33, "tiled decode vs untiled decode")
        // The round trip through tiles is as faithful to the picture as the untiled one.
        let untiledQuality = CodecTestData.psnr(decoded, image), tiledQuality = CodecTestData.psnr(try tiled.decode(tiledLatents), image)
        XCTAssertGreaterThan(untiledQuality, 30)
        XCTAssertGreaterThan(tiledQuality, untiledQuality - 1, "round trip PSNR tiled \(tiledQuality) dB vs untiled \(untiledQuality) dB")
    }
}
