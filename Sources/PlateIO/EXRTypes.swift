/// Value types shared by the EXR reader, writer and header parser.

/// An inclusive pixel rectangle, as EXR stores data and display windows: (xMin, yMin)-(xMax, yMax).
public struct PixelBox: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var xMin: Int
    public var yMin: Int
    public var xMax: Int
    public var yMax: Int

    public init(xMin: Int, yMin: Int, xMax: Int, yMax: Int) {
        self.xMin = xMin
        self.yMin = yMin
        self.xMax = xMax
        self.yMax = yMax
    }

    /// The box of a `width` x `height` image whose top-left pixel is at (x, y).
    public init(x: Int = 0, y: Int = 0, width: Int, height: Int) {
        self.init(xMin: x, yMin: y, xMax: x + width - 1, yMax: y + height - 1)
    }

    public var width: Int { xMax - xMin + 1 }
    public var height: Int { yMax - yMin + 1 }
    public var isEmpty: Bool { xMax < xMin || yMax < yMin }
    public var corners: [Int] { [xMin, yMin, xMax, yMax] }
    public var description: String { "(\(xMin),\(yMin))-(\(xMax),\(yMax)) \(width)x\(height)" }
}

/// EXR compression methods, with OpenEXR's numbering.
public enum ExrCompression: UInt8, CaseIterable, Sendable {
    case none = 0, rle, zips, zip, piz, pxr24, b44, b44a, dwaa, dwab

    /// The lower-case name used on the command line and in shot.yaml (`none rle zips zip piz ...`).
    public var name: String { String(describing: self) }

    /// Parses a name case-insensitively; nil when unknown.
    public init?(name: String) {
        guard let match = ExrCompression.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = match
    }

    /// Scanlines per chunk in scanline files.
    public var linesPerChunk: Int {
        switch self {
        case .none, .rle, .zips: return 1
        case .zip, .pxr24: return 16
        case .piz, .b44, .b44a, .dwaa: return 32
        case .dwab: return 256
        }
    }

    public var isLossy: Bool { [.pxr24, .b44, .b44a, .dwaa, .dwab].contains(self) }

    /// Names of compression ids newer than OpenEXR 3.1 knows, for a clear error.
    static func unsupportedName(id: UInt8) -> String {
        switch id {
        case 10: return "HTJ2K256"
        case 11: return "HTJ2K32"
        default: return "unknown"
        }
    }
}

/// Pixel types of EXR channels (file numbering).
public enum ExrPixelType: Int32, Sendable, CaseIterable {
    case uint = 0, half = 1, float = 2

    public var name: String { String(describing: self) }
    /// Bytes per sample in the file.
    public var byteSize: Int { self == .half ? 2 : 4 }
}

public enum ExrLineOrder: UInt8, Sendable {
    case increasingY = 0, decreasingY = 1, randomY = 2
}

/// Part types of multi-part files (single-part files get theirs from the version flags).
public enum ExrPartType: String, Sendable {
    case scanline = "scanlineimage", tiled = "tiledimage", deepScanline = "deepscanline", deepTiled = "deeptile"
    public var isDeep: Bool { self == .deepScanline || self == .deepTiled }
}

/// One channel of a part: name, pixel type and subsampling.
public struct ExrChannel: Equatable, Sendable {
    public var name: String
    public var pixelType: ExrPixelType
    public var xSampling: Int
    public var ySampling: Int
    /// "perceptually linear" hint from the file (kept for pass-through, not interpreted).
    public var pLinear: Bool

    public init(name: String, pixelType: ExrPixelType, xSampling: Int = 1, ySampling: Int = 1, pLinear: Bool = false) {
        self.name = name
        self.pixelType = pixelType
        self.xSampling = xSampling
        self.ySampling = ySampling
        self.pLinear = pLinear
    }
}

/// Tiling of a tiled part (`tiles` attribute).
public struct ExrTileDescription: Equatable, Sendable {
    public enum LevelMode: UInt8, Sendable { case oneLevel = 0, mipmap = 1, ripmap = 2 }
    public enum RoundingMode: UInt8, Sendable { case down = 0, up = 1 }
    public var xSize: Int
    public var ySize: Int
    public var levelMode: LevelMode
    public var roundingMode: RoundingMode

    public init(xSize: Int, ySize: Int, levelMode: LevelMode = .oneLevel, roundingMode: RoundingMode = .down) {
        self.xSize = xSize
        self.ySize = ySize
        self.levelMode = levelMode
        self.roundingMode = roundingMode
    }
}

/// CIE xy chromaticities of the primaries and white point.
public struct ExrChromaticities: Equatable, Sendable {
    public var red: SIMD2<Float>
    public var green: SIMD2<Float>
    public var blue: SIMD2<Float>
    public var white: SIMD2<Float>

    public init(red: SIMD2<Float>, green: SIMD2<Float>, blue: SIMD2<Float>, white: SIMD2<Float>) {
        self.red = red
        self.green = green
        self.blue = blue
        self.white = white
    }

    /// ITU-R BT.709 primaries, D65 white (OpenEXR's default).
    public static let rec709 = ExrChromaticities(red: [0.64, 0.33], green: [0.30, 0.60], blue: [0.15, 0.06],
                                                 white: [0.3127, 0.3290])
}

/// SMPTE time code as stored in EXR (packed BCD time and flags, plus user data).
public struct ExrTimeCode: Equatable, Sendable, CustomStringConvertible {
    public var timeAndFlags: UInt32
    public var userData: UInt32

    public init(timeAndFlags: UInt32, userData: UInt32 = 0) {
        self.timeAndFlags = timeAndFlags
        self.userData = userData
    }

    private func bcd(_ shift: UInt32, _ tensBits: UInt32) -> Int {
        let units = Int((timeAndFlags >> shift) & 0xF)
        let tens = Int((timeAndFlags >> (shift + 4)) & ((1 << tensBits) - 1))
        return tens * 10 + units
    }

    public var frame: Int { bcd(0, 2) }
    public var seconds: Int { bcd(8, 3) }
    public var minutes: Int { bcd(16, 3) }
    public var hours: Int { bcd(24, 2) }
    public var dropFrame: Bool { timeAndFlags & (1 << 6) != 0 }
    /// `hh:mm:ss:ff` (`;` before the frames for drop-frame codes).
    public var description: String {
        String(format: "%02d:%02d:%02d%@%02d", hours, minutes, seconds, dropFrame ? ";" : ":", frame)
    }
}

/// Film key code (`keycode` attribute).
public struct ExrKeyCode: Equatable, Sendable {
    public var filmMfcCode, filmType, prefix, count, perfOffset, perfsPerFrame, perfsPerCount: Int32

    public init(filmMfcCode: Int32, filmType: Int32, prefix: Int32, count: Int32, perfOffset: Int32,
                perfsPerFrame: Int32, perfsPerCount: Int32) {
        (self.filmMfcCode, self.filmType, self.prefix, self.count) = (filmMfcCode, filmType, prefix, count)
        (self.perfOffset, self.perfsPerFrame, self.perfsPerCount) = (perfOffset, perfsPerFrame, perfsPerCount)
    }
}

/// Which part of a multi-part file to read: by index or by its `name` attribute.
public enum ExrPartSelector: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    case index(Int)
    case name(String)

    public init(integerLiteral value: Int) { self = .index(value) }
    public init(stringLiteral value: String) { self = .name(value) }

    /// "3" selects by index, anything else by name (for command lines and shot.yaml).
    public init(parsing text: String) {
        if let i = Int(text) { self = .index(i) } else { self = .name(text) }
    }

    public var description: String {
        switch self {
        case .index(let i): return "\(i)"
        case .name(let n): return "\"\(n)\""
        }
    }
}
