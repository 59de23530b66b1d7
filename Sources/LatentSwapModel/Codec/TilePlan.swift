/// Where tiles go along one axis, and how much each position of a tile counts when overlapping
/// tiles are blended.
///
/// Tiles are all `tile` long (except when the axis is shorter), start on multiples of `align`
/// and overlap their neighbours by at least `overlap`; the last tile is pushed back to end on the
/// border, so no tile is ever padded. Within the overlap the weight ramps linearly from near 0 at
/// a tile's inner edge (where its padding distorts the result most) up to 1, so the blend is
/// continuous; borders of the image itself keep full weight.
public struct TileAxis: Equatable, Sendable {
    public let length: Int
    public let tile: Int
    public let starts: [Int]

    public init(length: Int, tile: Int, overlap: Int, align: Int = 1) {
        precondition(length > 0 && tile > 0 && align > 0 && overlap >= 0, "bad tile axis \(length) \(tile) \(overlap) \(align)")
        let size = min(tile, length)
        self.length = length
        self.tile = size
        guard size < length else {
            starts = [0]
            return
        }
        // Step down to a multiple of `align`, keeping at least one aligned unit of progress.
        let step = max(align, (size - overlap) / align * align)
        var list: [Int] = []
        var start = 0
        while start + size < length {
            list.append(start)
            start += step
        }
        list.append((length - size) / align * align)
        starts = list
    }

    /// The blend weight of position `i` (0..<tile) of the tile starting at `start`, with a ramp
    /// `ramp` long at each edge that touches another tile.
    public func weight(at i: Int, start: Int, ramp: Int) -> Float {
        TileAxis.weight(at: i, start: start, tile: tile, length: length, ramp: ramp)
    }

    /// The same weight for a tile of an axis scaled by the network (latents <-> pixels).
    public static func weight(at i: Int, start: Int, tile: Int, length: Int, ramp: Int) -> Float {
        guard ramp > 0 else { return 1 }
        var w: Float = 1
        if start > 0 { w = min(w, (Float(i) + 0.5) / Float(ramp)) }
        if start + tile < length { w = min(w, (Float(tile - i) - 0.5) / Float(ramp)) }
        return w
    }
}
