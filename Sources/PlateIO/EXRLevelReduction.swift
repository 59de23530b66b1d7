import Foundation
import Imaging

/// The reduced levels of a mip- or rip-mapped part, made from its full-resolution image by the
/// convention of OpenEXR's own `exrmaketiled`, so a part plateswap changed gets the levels that tool
/// would give it:
/// - each halving filters the previous level, along x then along y (a ripmap's row of levels
///   along x starts from the level above it along y), never from level 0 directly;
/// - the filter is a four-tap (1 3 3 1) / 8 kernel whose taps are linearly interpolated samples,
///   centred so the first and last output pixels sit on input pixels 0.5 and w - 1.5;
/// - past the edges the image is extrapolated as the part's `wrapmodes` attribute says
///   (black, clamp, periodic, mirror; clamp when absent, `exrmaketiled`'s default);
/// - the arithmetic is in Double, and every pass is rounded to the channel's stored type (half
///   through Float, as Imath's half converts).
public enum ExrLevelReduction {
    public enum Extrapolation: String, Sendable {
        case black, clamp, periodic, mirror
    }

    /// The x and y extrapolation a `wrapmodes` attribute ("clamp", "periodic,clamp") names.
    public static func extrapolation(wrapmodes: ExrAttribute?) -> (x: Extrapolation, y: Extrapolation) {
        guard case let .string(text)? = wrapmodes else { return (.clamp, .clamp) }
        let modes = text.lowercased().split(separator: ",").map { Extrapolation(rawValue: $0.trimmingCharacters(in: .whitespaces)) ?? .clamp }
        return (modes.first ?? .clamp, modes.count > 1 ? modes[1] : modes.first ?? .clamp)
    }

    /// Every level but (0, 0) of `tiles` over `dataWindow`, made from `image` (level 0, the data
    /// window's size; its channels stored as `types`, so first rounded to them as the file holds them).
    public static func levels(of image: ImageBuffer, types: [ExrPixelType], tiles: ExrTileDescription, dataWindow: PixelBox,
                              wrap: (x: Extrapolation, y: Extrapolation) = (.clamp, .clamp)) -> [ExrLevelImage] {
        precondition(types.count == image.channelNames.count && image.width == dataWindow.width && image.height == dataWindow.height,
                     "level 0 must be the data window's size with a type per channel")
        let all = tiles.levels(of: dataWindow)
        func size(_ lx: Int, _ ly: Int) -> (Int, Int) {
            // Level sizes depend on one index each: take them from the list's first row and column.
            (all.first { $0.levelX == lx }?.width ?? 1, all.first { $0.levelY == ly }?.height ?? 1)
        }
        let rounders = types.map(rounder)
        var image = image
        for c in image.planes.indices { image.planes[c] = image.planes[c].map { rounders[c](Double($0)) } }
        func reduceX(_ level: ImageBuffer, to width: Int) -> ImageBuffer {
            let taps = Taps(from: level.width, to: width, wrap: wrap.x)
            var out = ImageBuffer(width: width, height: level.height, channels: level.channelNames, fill: 0)
            for c in level.planes.indices {
                level.planes[c].withUnsafeBufferPointer { src in
                    out.planes[c].withUnsafeMutableBufferPointer { dst in
                        for y in 0..<level.height {
                            let row = y * level.width
                            for x in 0..<width { dst[y * width + x] = rounders[c](taps.filter(x) { Double(src[row + $0]) }) }
                        }
                    }
                }
            }
            return out
        }
        func reduceY(_ level: ImageBuffer, to height: Int) -> ImageBuffer {
            let taps = Taps(from: level.height, to: height, wrap: wrap.y)
            var out = ImageBuffer(width: level.width, height: height, channels: level.channelNames, fill: 0)
            let w = level.width
            for c in level.planes.indices {
                level.planes[c].withUnsafeBufferPointer { src in
                    out.planes[c].withUnsafeMutableBufferPointer { dst in
                        for y in 0..<height {
                            for x in 0..<w { dst[y * w + x] = rounders[c](taps.filter(y) { Double(src[$0 * w + x]) }) }
                        }
                    }
                }
            }
            return out
        }
        func entry(_ lx: Int, _ ly: Int, _ level: ImageBuffer) -> ExrLevelImage {
            ExrLevelImage(level: ExrLevel(levelX: lx, levelY: ly, width: level.width, height: level.height), image: level)
        }
        var result: [ExrLevelImage] = []
        switch tiles.levelMode {
        case .oneLevel:
            break
        case .mipmap:
            var current = image
            for l in 1..<all.count {
                let (width, height) = size(l, l)
                current = reduceY(reduceX(current, to: width), to: height)
                result.append(entry(l, l, current))
            }
        case .ripmap:
            let columns = (all.map(\.levelX).max() ?? 0) + 1, rows = (all.map(\.levelY).max() ?? 0) + 1
            var rowStart = image
            for ly in 0..<rows {
                var current = rowStart
                for lx in 0..<columns {
                    if lx > 0 || ly > 0 { result.append(entry(lx, ly, current)) }
                    if lx < columns - 1 { current = reduceX(current, to: size(lx + 1, ly).0) }
                }
                if ly < rows - 1 { rowStart = reduceY(rowStart, to: size(0, ly + 1).1) }
            }
        }
        return result
    }

    /// A value computed in Double as the file will store it.
    static func rounder(_ type: ExrPixelType) -> (Double) -> Float {
        switch type {
        case .half: return { Float(Float16(Float($0))) }
        case .float: return { Float($0) }
        case .uint: return { $0 <= 0 ? 0 : Float(min(UInt32(clamping: Int64($0)), UInt32.max)) }
        }
    }

    /// Where the four filter taps of each output pixel sample the input along one axis: two
    /// neighbouring input pixels (extrapolated; -1 is black) and their linear weights.
    struct Taps {
        var first: [Int] = [], second: [Int] = []
        var firstWeight: [Double] = [], secondWeight: [Double] = []
        static let kernel: [Double] = [0.125, 0.375, 0.375, 0.125]

        init(from inSize: Int, to outSize: Int, wrap: Extrapolation) {
            let step = outSize > 1 ? Double(inSize - 2) / Double(outSize - 1) : 1
            for x in 0..<outSize {
                let centre = Double(x) * step
                for k in 0..<4 {
                    let at = centre + Double(k - 1)
                    let s = at.rounded(.down)
                    let lower = Int(s)
                    let wFirst = Double(lower + 1) - at
                    first.append(Self.index(lower, inSize, wrap))
                    second.append(Self.index(lower + 1, inSize, wrap))
                    firstWeight.append(wFirst)
                    secondWeight.append(1 - wFirst)
                }
            }
        }

        static func index(_ i: Int, _ n: Int, _ wrap: Extrapolation) -> Int {
            if i >= 0, i < n { return i }
            let m = ((i % n) + n) % n
            switch wrap {
            case .black: return -1
            case .clamp: return min(max(i, 0), n - 1)
            case .periodic: return m
            case .mirror:
                let d = (i - m) / n
                return d & 1 == 1 ? n - 1 - m : m
            }
        }

        /// The filtered value of output pixel `x`, reading input pixels through `value`.
        @inline(__always)
        func filter(_ x: Int, _ value: (Int) -> Double) -> Double {
            var sum = 0.0
            for k in 0..<4 {
                let t = x * 4 + k
                let a = first[t] < 0 ? 0 : value(first[t]), b = second[t] < 0 ? 0 : value(second[t])
                let sample = firstWeight[t] * a + secondWeight[t] * b
                sum = k == 0 ? Self.kernel[0] * sample : sum + Self.kernel[k] * sample
            }
            return sum
        }
    }
}
