import Imaging

/// One resolution level of a tiled part: its indices and size in pixels. Level (0, 0) is the full
/// data window; mipmaps have levels (l, l), ripmaps every (x, y) pair.
public struct ExrLevel: Equatable, Sendable {
    public var levelX: Int
    public var levelY: Int
    public var width: Int
    public var height: Int

    public init(levelX: Int, levelY: Int, width: Int, height: Int) {
        self.levelX = levelX
        self.levelY = levelY
        self.width = width
        self.height = height
    }
}

/// One reduced level of a mip- or rip-mapped tiled part (level (0, 0) is the part's own image):
/// its pixels (planar Float32, channels as the part's) and the exact samples of its uint channels.
public struct ExrLevelImage {
    public var level: ExrLevel
    public var image: ImageBuffer
    public var uintPlanes: [String: [UInt32]]

    public init(level: ExrLevel, image: ImageBuffer, uintPlanes: [String: [UInt32]] = [:]) {
        self.level = level
        self.image = image
        self.uintPlanes = uintPlanes
    }
}

extension ExrTileDescription {
    /// The levels a part of this tiling over `dataWindow` has, (0, 0) first, sized by OpenEXR's
    /// rules (each halving rounded down or up as `roundingMode` says, never below 1 pixel).
    public func levels(of dataWindow: PixelBox) -> [ExrLevel] {
        let (w, h) = (dataWindow.width, dataWindow.height)
        func log2(_ n: Int) -> Int {
            var (y, rest, x) = (0, 0, n)
            while x > 1 {
                if x & 1 == 1 { rest = 1 }
                y += 1
                x >>= 1
            }
            return roundingMode == .up ? y + rest : y
        }
        func size(_ full: Int, _ level: Int) -> Int {
            var s = full >> level
            if roundingMode == .up, s << level < full { s += 1 }
            return max(s, 1)
        }
        func level(_ x: Int, _ y: Int) -> ExrLevel { ExrLevel(levelX: x, levelY: y, width: size(w, x), height: size(h, y)) }
        switch levelMode {
        case .oneLevel: return [level(0, 0)]
        case .mipmap: return (0...log2(max(w, h))).map { level($0, $0) }
        case .ripmap: return (0...log2(h)).flatMap { y in (0...log2(w)).map { x in level(x, y) } }
        }
    }
}
