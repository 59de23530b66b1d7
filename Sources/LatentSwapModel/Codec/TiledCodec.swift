import Neural

/// Runs another codec tile by tile, so crops of 1024 px and more fit in memory and any crop larger
/// than `tile` is processed in bounded pieces. Tiles overlap by `overlap` pixels and are blended
/// with linear ramps (see `TileAxis`), so seams do not show; inputs no larger than one tile go
/// through the wrapped codec unchanged.
public final class TiledCodec: LatentCodec {
    public let base: LatentCodec
    /// Tile side and overlap in image pixels (multiples of `downscale`).
    public let tile: Int
    public let overlap: Int

    public init(_ base: LatentCodec, tile: Int = 512, overlap: Int = 64) throws {
        let d = base.downscale
        guard tile > 0, tile % d == 0, overlap >= 0, overlap % d == 0, overlap * 2 <= tile else {
            throw CodecError.badInput(what: "tile \(tile) px, overlap \(overlap) px",
                                      expected: "multiples of \(d) with overlap at most half the tile", found: [tile, overlap])
        }
        self.base = base
        self.tile = tile
        self.overlap = overlap
    }

    public var name: String { base.name }
    public var identity: CodecIdentity { get throws { try base.identity } }
    public var latentChannels: Int { base.latentChannels }
    public var downscale: Int { base.downscale }

    public func encode(_ images: Tensor) throws -> Tensor {
        try checkImages(images)
        let d = downscale
        return try TiledRunner.run(images, tile: tile, overlap: overlap, align: d, num: 1, den: d) { try base.encode($0) }
    }

    public func decode(_ latents: Tensor) throws -> Tensor {
        try checkLatents(latents)
        let d = downscale
        return try TiledRunner.run(latents, tile: tile / d, overlap: overlap / d, align: 1, num: d, den: 1) { try base.decode($0) }
    }
}

/// Splits an NCHW tensor into overlapping tiles, runs `body` on each and blends the results, whose
/// spatial size is the tile's times `num / den`.
enum TiledRunner {
    static func run(_ input: Tensor, tile: Int, overlap: Int, align: Int, num: Int, den: Int,
                    _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        if h <= tile && w <= tile { return try body(input) }
        let rows = TileAxis(length: h, tile: tile, overlap: overlap, align: align)
        let cols = TileAxis(length: w, tile: tile, overlap: overlap, align: align)
        let (oh, ow) = (h * num / den, w * num / den)
        let (th, tw) = (rows.tile * num / den, cols.tile * num / den)
        let ramp = overlap * num / den
        var sum: [Float] = []
        var weights = [Float](repeating: 0, count: oh * ow)
        var outChannels = 0
        for y0 in rows.starts {
            for x0 in cols.starts {
                let piece = try body(crop(input, n: n, c: c, h: h, w: w, y0: y0, x0: x0, th: rows.tile, tw: cols.tile))
                guard piece.shape.count == 4, piece.shape[0] == n, piece.shape[2] == th, piece.shape[3] == tw,
                      outChannels == 0 || piece.shape[1] == outChannels else {
                    throw CodecError.badInput(what: "tile output", expected: "\(n) x C x \(th) x \(tw)", found: piece.shape)
                }
                if outChannels == 0 {
                    outChannels = piece.shape[1]
                    sum = [Float](repeating: 0, count: n * outChannels * oh * ow)
                }
                let (oy, ox) = (y0 * num / den, x0 * num / den)
                let wy = (0..<th).map { TileAxis.weight(at: $0, start: oy, tile: th, length: oh, ramp: ramp) }
                let wx = (0..<tw).map { TileAxis.weight(at: $0, start: ox, tile: tw, length: ow, ramp: ramp) }
                piece.data.withUnsafeBufferPointer { src in
                    sum.withUnsafeMutableBufferPointer { dst in
                        for plane in 0..<(n * outChannels) {
                            for i in 0..<th {
                                let s = (plane * th + i) * tw, d = (plane * oh + oy + i) * ow + ox
                                for j in 0..<tw { dst[d + j] += wy[i] * wx[j] * src[s + j] }
                            }
                        }
                    }
                }
                for i in 0..<th {
                    for j in 0..<tw { weights[(oy + i) * ow + ox + j] += wy[i] * wx[j] }
                }
            }
        }
        let planeSize = oh * ow
        for plane in 0..<(n * outChannels) {
            for p in 0..<planeSize { sum[plane * planeSize + p] /= weights[p] }
        }
        return Tensor(shape: [n, outChannels, oh, ow], data: sum)
    }

    static func crop(_ t: Tensor, n: Int, c: Int, h: Int, w: Int, y0: Int, x0: Int, th: Int, tw: Int) -> Tensor {
        var out = [Float](repeating: 0, count: n * c * th * tw)
        t.data.withUnsafeBufferPointer { src in
            for plane in 0..<(n * c) {
                for i in 0..<th {
                    let s = (plane * h + y0 + i) * w + x0, d = (plane * th + i) * tw
                    for j in 0..<tw { out[d + j] = src[s + j] }
                }
            }
        }
        return Tensor(shape: [n, c, th, tw], data: out)
    }
}
