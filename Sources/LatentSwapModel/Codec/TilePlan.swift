/// Where tiles go along one axis, and how much each position of a tile counts when overlapping
/// tiles are blended.
///
/// Tiles are all the same length, at most `tile` (the whole axis when it is shorter), start on
/// multiples of `align` and overlap their neighbours by at least `overlap`; the first starts at 0
/// and the last ends on the border, so no tile is ever padded. Within the overlap the weight ramps linearly from near 0 at
/// a tile's inner edge (where its padding distorts the result most) up to 1, so the blend is
/// continuous; borders of the image itself keep full weight.
public struct TileAxis: Equatable, Sendable {
    public let length: Int
    public let tile: Int
    public let starts: [Int]

    public init(length: Int, tile: Int, overlap: Int, align: Int = 1) {
        precondition(length > 0 && tile > 0 && align > 0 && overlap >= 0 && overlap < tile && tile % align == 0
                     && overlap % align == 0, "bad tile axis \(length) \(tile) \(overlap) \(align)")
        self.length = length
        guard tile < length else {
            self.tile = length
            starts = [0]
            return
        }
        // As few tiles as `tile` allows, then shrunk to an even split (plus one aligned unit of
        // slack for rounding), so a 1024 px crop becomes 3 x 3 tiles of 392 px, not of 512.
        let count = (length - overlap + tile - overlap - 1) / (tile - overlap)
        let even = ((length + (count - 1) * overlap + count - 1) / count + align - 1) / align * align + align
        let size = min(tile, even)
        self.tile = size
        starts = (0..<count).map { i in i * (length - size) / (count - 1) / align * align }
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
