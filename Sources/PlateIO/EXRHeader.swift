/// The header of one part of an EXR file: its structure as typed fields, everything else in
/// `attributes`. Reading fills it from the file; writing takes its windows and attributes.
public struct ExrHeader: Equatable, Sendable {
    /// The part's `name` attribute (multi-part files); nil for most single-part files.
    public var partName: String?
    public var partType: ExrPartType
    public var dataWindow: PixelBox
    public var displayWindow: PixelBox
    /// Channels in file order (alphabetical, as EXR stores them).
    public var channels: [ExrChannel]
    public var compression: ExrCompression
    public var lineOrder: ExrLineOrder
    /// Tiling of tiled parts; nil for scanline parts.
    public var tiles: ExrTileDescription?
    /// Every other attribute (pixelAspectRatio, screenWindow*, owner, timeCode, custom ones ...),
    /// passed through unchanged when written. The names in `structuralNames` never appear here.
    public var attributes: [String: ExrAttribute]

    /// Attributes that describe the file's structure: kept in the typed fields above (or recomputed
    /// on write), never passed through as attributes.
    public static let structuralNames: Set<String> = [
        "channels", "compression", "dataWindow", "displayWindow", "lineOrder", "tiles", "type", "name",
        "chunkCount", "version", "maxSamplesPerPixel",
    ]

    /// A header for writing a new image: display window defaults to the data window.
    public init(dataWindow: PixelBox, displayWindow: PixelBox? = nil, compression: ExrCompression = .piz,
                attributes: [String: ExrAttribute] = [:]) {
        self.partName = nil
        self.partType = .scanline
        self.dataWindow = dataWindow
        self.displayWindow = displayWindow ?? dataWindow
        self.channels = []
        self.compression = compression
        self.lineOrder = .increasingY
        self.tiles = nil
        self.attributes = attributes.filter { !ExrHeader.structuralNames.contains($0.key) }
    }

    init(partName: String?, partType: ExrPartType, dataWindow: PixelBox, displayWindow: PixelBox,
         channels: [ExrChannel], compression: ExrCompression, lineOrder: ExrLineOrder,
         tiles: ExrTileDescription?, attributes: [String: ExrAttribute]) {
        self.partName = partName
        self.partType = partType
        self.dataWindow = dataWindow
        self.displayWindow = displayWindow
        self.channels = channels
        self.compression = compression
        self.lineOrder = lineOrder
        self.tiles = tiles
        self.attributes = attributes
    }

    public var isTiled: Bool { partType == .tiled || partType == .deepTiled }

    public func channel(named name: String) -> ExrChannel? { channels.first { $0.name == name } }

    /// Layer names: the prefixes before the last '.' of channel names (`diffuse` for `diffuse.R`);
    /// "" stands for the unprefixed channels.
    public var layers: [String] {
        var seen: [String] = []
        for channel in channels {
            let layer = ExrHeader.layer(of: channel.name)
            if !seen.contains(layer) { seen.append(layer) }
        }
        return seen
    }

    static func layer(of channelName: String) -> String {
        guard let dot = channelName.lastIndex(of: ".") else { return "" }
        return String(channelName[..<dot])
    }

    /// Sum of the bytes of one pixel over all channels (as stored in the file).
    var bytesPerPixel: Int { channels.reduce(0) { $0 + $1.pixelType.byteSize } }
}
