import Neural
import XCTest
@testable import LatentSwapModel

/// A codec whose output at a position depends only on that position (8x8 average down, nearest
/// up), so tiling must reproduce the untiled result exactly: any error is in the tile plumbing.
private final class LocalCodec: LatentCodec {
    let name = "local"
    let identity = CodecIdentity(name: "local", sha256: String(repeating: "0", count: 64))
    let latentChannels = 2
    let downscale = 8
    var calls: [[Int]] = []

    func encode(_ images: Tensor) throws -> Tensor {
        try checkImages(images)
        calls.append(images.shape)
        let (n, h, w) = (images.shape[0], images.shape[2] / 8, images.shape[3] / 8)
        var out = [Float](repeating: 0, count: n * 2 * h * w)
        for b in 0..<n {
            for y in 0..<(h * 8) {
                for x in 0..<(w * 8) {
                    let v = images.data[((b * 3) * h * 8 + y) * w * 8 + x] / 64
                    out[((b * 2) * h + y / 8) * w + x / 8] += v
                    out[((b * 2 + 1) * h + y / 8) * w + x / 8] -= 2 * v
                }
            }
        }
        return Tensor(shape: [n, 2, h, w], data: out)
    }

    func decode(_ latents: Tensor) throws -> Tensor {
        try checkLatents(latents)
        calls.append(latents.shape)
        let (n, h, w) = (latents.shape[0], latents.shape[2], latents.shape[3])
        var out = [Float](repeating: 0, count: n * 3 * h * 8 * w * 8)
        for b in 0..<n {
            for c in 0..<3 {
                for y in 0..<(h * 8) {
                    for x in 0..<(w * 8) {
                        out[((b * 3 + c) * h * 8 + y) * w * 8 + x] = latents.data[((b * 2 + c % 2) * h + y / 8) * w + x / 8] + Float(c)
                    }
                }
            }
        }
        return Tensor(shape: [n, 3, h * 8, w * 8], data: out)
    }
}

final class TiledCodecTests: XCTestCase {
    func testTileAxisCoversAlignsAndOverlaps() {
        var cases = [(1024, 512, 64, 8), (1000, 256, 32, 8), (100, 128, 16, 8), (72, 16, 4, 1), (136, 64, 16, 8)]
        for length in stride(from: 8, through: 600, by: 8) { cases += [(length, 64, 16, 8), (length / 8, 8, 2, 1), (length, 512, 64, 8)] }
        for (length, tile, overlap, align) in cases {
            let axis = TileAxis(length: length, tile: tile, overlap: overlap, align: align)
            XCTAssertEqual(axis.starts.first, 0)
            XCTAssertEqual(axis.starts.last! + axis.tile, length, "\(length) \(tile)")
            XCTAssertLessThanOrEqual(axis.tile, tile)
            for (a, b) in zip(axis.starts, axis.starts.dropFirst()) {
                XCTAssertLessThanOrEqual(b - a, axis.tile - overlap, "gap between tiles at \(a), \(b)")
                XCTAssertGreaterThan(b, a)
            }
            XCTAssertTrue(axis.starts.allSatisfy { $0 % align == 0 })
            // Every position gets positive total weight; image borders keep full weight.
            var total = [Float](repeating: 0, count: length)
            for s in axis.starts { for i in 0..<axis.tile { total[s + i] += axis.weight(at: i, start: s, ramp: overlap) } }
            XCTAssertTrue(total.allSatisfy { $0 > 0 })
            XCTAssertEqual(total[0], 1)
            XCTAssertEqual(total[length - 1], 1)
        }
        let large = TileAxis(length: 1024, tile: 512, overlap: 64, align: 8)
        XCTAssertEqual(large.starts, [0, 312, 632])
        XCTAssertEqual(large.tile, 392)
    }

    func testTiledEqualsUntiledForALocalCodec() throws {
        let base = LocalCodec()
        let tiled = try TiledCodec(base, tile: 64, overlap: 16)
        let (h, w) = (152, 200)
        let image = Tensor(shape: [2, 3, h, w], data: (0..<(2 * 3 * h * w)).map { Float(($0 * 7919) % 1000) / 1000 })
        let direct = try base.encode(image)
        base.calls = []
        let viaTiles = try tiled.encode(image)
        XCTAssertGreaterThan(base.calls.count, 4)
        XCTAssertTrue(base.calls.allSatisfy { $0[2] <= 64 && $0[3] <= 64 }, "\(base.calls)")
        XCTAssertEqual(viaTiles.shape, direct.shape)
        XCTAssertLessThan(zip(viaTiles.data, direct.data).map { abs($0 - $1) }.max()!, 1e-5)

        let decodedDirect = try base.decode(direct)
        base.calls = []
        let decodedTiled = try tiled.decode(direct)
        XCTAssertTrue(base.calls.allSatisfy { $0[2] <= 8 && $0[3] <= 8 }, "\(base.calls)")
        XCTAssertEqual(decodedTiled.shape, decodedDirect.shape)
        XCTAssertLessThan(zip(decodedTiled.data, decodedDirect.data).map { abs($0 - $1) }.max()!, 1e-5)
    }

    func testRejectsBadTilesAndInputs() throws {
        XCTAssertThrowsError(try TiledCodec(LocalCodec(), tile: 60, overlap: 8))
        XCTAssertThrowsError(try TiledCodec(LocalCodec(), tile: 64, overlap: 40))
        let tiled = try TiledCodec(LocalCodec(), tile: 64, overlap: 16)
        XCTAssertThrowsError(try tiled.encode(Tensor.zeros([1, 3, 100, 64]))) { error in
            XCTAssertTrue(String(describing: error).contains("multiples of 8"), "\(error)")
        }
        XCTAssertThrowsError(try tiled.decode(Tensor.zeros([1, 4, 8, 8])))
    }
}
