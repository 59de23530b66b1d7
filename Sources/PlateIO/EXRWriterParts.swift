import ExrShim
import Foundation
import Imaging
import Support

/// One part of a multi-part file to write: its pixels (covering `header.dataWindow`), its header
/// (name, windows, attributes, tiling) and the pixel type of each channel.
public struct ExrPartImage {
    public var image: ImageBuffer
    public var header: ExrHeader
    /// Pixel types by channel name; channels not named are written as the write's `pixelType`.
    public var channelTypes: [String: ExrPixelType]
    /// Exact samples of uint channels by name (Float32 holds integers only up to 2^24): written
    /// instead of the channel's Float plane.
    public var uintPlanes: [String: [UInt32]] = [:]
    /// Every level but (0, 0) of a mip- or rip-mapped part (`header.tiles`); empty otherwise.
    public var levels: [ExrLevelImage] = []
    /// A part written as another file stores it (`init(copying:of:header:)`); nil for a part
    /// written from its pixels.
    public private(set) var copiedFrom: ExrPartSource?

    public init(image: ImageBuffer, header: ExrHeader, channelTypes: [String: ExrPixelType] = [:]) {
        self.image = image
        self.header = header
        self.channelTypes = channelTypes
    }

    /// Part `part` of `file` (whose header is `header`), to be written exactly as it is stored: its
    /// header whole (type, windows, every attribute, its own compression; named `header.partName`)
    /// and every chunk copied without decoding, so deep parts and channels plateswap cannot decode
    /// pass through as they are. It has no pixels here (`image` is empty).
    public init(copying part: Int, of file: URL, header: ExrHeader) {
        self.init(image: ImageBuffer(width: 0, height: 0, channels: []), header: header, channelTypes: Self.fileTypes(header))
        copiedFrom = ExrPartSource(file: file, part: part)
    }

    /// The pixel types the part's channels have in `header` (as read from a file).
    public static func fileTypes(_ header: ExrHeader) -> [String: ExrPixelType] {
        Dictionary(header.channels.map { ($0.name, $0.pixelType) }, uniquingKeysWith: { a, _ in a })
    }
}

/// Where a copied part comes from: part `part` (index) of `file`.
public struct ExrPartSource: Equatable, Sendable {
    public var file: URL
    public var part: Int
}

extension ExrWriter {
    /// Writes `parts` as one multi-part file at `url`, atomically: each part with its own name
    /// (required when there are several, unique), windows, attributes and channel types;
    /// `compression` for all. A part whose header has `tiles` is written tiled with that
    /// description and needs every level its level mode has (`levels`); the others are scanline
    /// parts. Copied parts (`ExrPartImage.copiedFrom`) are written as their file stores them. One
    /// part makes a single-part file.
    public static func writeParts(_ parts: [ExrPartImage], to url: URL, compression: ExrCompression, pixelType: ExrPixelType = .half,
                                  dwaCompressionLevel: Float? = nil, threads: Int = workerCount) throws {
        func fail(_ reason: String) -> PlateIOError { PlateIOError(.invalidRequest, file: url.path, reason: reason) }
        guard !parts.isEmpty else { throw fail("no parts to write") }
        var seen = Set<String>()
        for (index, part) in parts.enumerated() {
            let name = part.header.partName ?? ""
            guard !name.isEmpty || parts.count == 1 else { throw fail("part \(index) has no name (every part of a multi-part file needs one)") }
            guard seen.insert(name).inserted else { throw fail("two parts are named \"\(name)\"") }
            if let source = part.copiedFrom {
                guard source.part >= 0, FileManager.default.fileExists(atPath: source.file.path) else {
                    throw fail("part \"\(name)\": no part \(source.part) of \(source.file.path) to copy")
                }
                continue
            }
            guard part.header.dataWindow.width == part.image.width, part.header.dataWindow.height == part.image.height else {
                throw fail("part \"\(name)\": image is \(part.image.width)x\(part.image.height) but the data window is \(part.header.dataWindow)")
            }
            guard !part.header.displayWindow.isEmpty, part.image.width > 0, part.image.height > 0, !part.image.channelNames.isEmpty else {
                throw fail("part \"\(name)\": empty image or display window \(part.header.displayWindow)")
            }
            guard part.image.channelNames.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 255 }) else {
                throw fail("part \"\(name)\": channel names must have 1 to 255 bytes: \(part.image.channelNames)")
            }
            try checkExactPlanes(part.uintPlanes, of: part.image, fail: { fail("part \"\(name)\": \($0)") })
            let expected = part.header.tiles.map { Array($0.levels(of: part.header.dataWindow).dropFirst()) } ?? []
            guard part.levels.map(\.level) == expected else {
                throw fail("part \"\(name)\": levels \(part.levels.map { "(\($0.level.levelX), \($0.level.levelY))" }) do not match its tiling's \(expected.count)")
            }
            for level in part.levels {
                guard level.image.channelNames == part.image.channelNames, level.image.width == level.level.width,
                      level.image.height == level.level.height else {
                    throw fail("part \"\(name)\": level (\(level.level.levelX), \(level.level.levelY)) is not \(level.level.width)x\(level.level.height) with the part's channels")
                }
                try checkExactPlanes(level.uintPlanes, of: level.image, fail: { fail("part \"\(name)\": \($0)") })
            }
        }
        // A copied part's header comes from its file.
        let passed = parts.map { $0.copiedFrom != nil ? [] : $0.header.attributes.filter { !ExrHeader.structuralNames.contains($0.key) }.sorted { $0.key < $1.key } }
        let values = passed.flatMap { $0.map { $0.value.encoded() } }
        // Every image of every part (level 0, then its reduced levels), in one list for the pointers.
        let images: [(image: ImageBuffer, uint: [String: [UInt32]])] = parts.flatMap { part in
            [(part.image, part.uintPlanes)] + part.levels.map { ($0.image, $0.uintPlanes) }
        }
        let planes = images.flatMap(\.image.planes)
        let exact = images.flatMap { item in item.image.channelNames.map { item.uint[$0] ?? [] } }
        let arena = ShimArena()
        var message = [CChar](repeating: 0, count: 512)
        try AtomicFile.write(to: url) { temp in
            let status: Int32 = withBasePointers(values) { valuePointers in
                withBasePointers(planes) { planePointers in
                    withBasePointers(exact) { exactPointers in
                        var valueIndex = 0, planeIndex = 0
                        // The shim's channel list of one image, its planes taken in order.
                        func channels(_ image: ImageBuffer, _ part: ExrPartImage) -> UnsafePointer<ExrShimChannel> {
                            let list = arena.allocate(ExrShimChannel.self, image.channelNames.count)
                            for (i, name) in image.channelNames.enumerated() {
                                let type = part.channelTypes[name] ?? pixelType
                                list[i] = ExrShimChannel(name: arena.string(name), pixelType: type.rawValue, plane: planePointers[planeIndex],
                                                         uintPlane: type == .uint && !exact[planeIndex].isEmpty ? exactPointers[planeIndex] : nil)
                                planeIndex += 1
                            }
                            return UnsafePointer(list)
                        }
                        var shimParts: [ExrShimPart] = []
                        for (p, part) in parts.enumerated() {
                            let attributes = arena.allocate(ExrShimAttribute.self, passed[p].count)
                            for (i, attribute) in passed[p].enumerated() {
                                attributes[i] = ExrShimAttribute(name: arena.string(attribute.key), type: arena.string(attribute.value.typeName),
                                                                 bytes: valuePointers[valueIndex], size: Int32(values[valueIndex].count))
                                valueIndex += 1
                            }
                            let window = arena.allocate(Int32.self, 8)
                            for (i, v) in (part.header.dataWindow.corners + part.header.displayWindow.corners).enumerated() {
                                window[i] = Int32(truncatingIfNeeded: v)
                            }
                            let partChannels = channels(part.image, part)
                            var tiling: UnsafePointer<ExrShimTiling>?
                            if let tiles = part.header.tiles, part.copiedFrom == nil {
                                let levels = arena.allocate(ExrShimLevel.self, part.levels.count)
                                for (l, level) in part.levels.enumerated() {
                                    levels[l] = ExrShimLevel(levelX: Int32(level.level.levelX), levelY: Int32(level.level.levelY),
                                                             channels: channels(level.image, part))
                                }
                                let description = arena.allocate(ExrShimTiling.self, 1)
                                description[0] = ExrShimTiling(xSize: Int32(tiles.xSize), ySize: Int32(tiles.ySize), levelMode: Int32(tiles.levelMode.rawValue),
                                                               roundingMode: Int32(tiles.roundingMode.rawValue), levels: UnsafePointer(levels),
                                                               levelCount: Int32(part.levels.count))
                                tiling = UnsafePointer(description)
                            }
                            shimParts.append(ExrShimPart(name: part.header.partName.flatMap { arena.string($0) }, dataWindow: UnsafePointer(window),
                                                         displayWindow: UnsafePointer(window + 4), attributes: UnsafePointer(attributes),
                                                         attributeCount: Int32(passed[p].count), channels: partChannels,
                                                         channelCount: Int32(part.image.channelNames.count), tiling: tiling,
                                                         copyFrom: part.copiedFrom.flatMap { arena.string($0.file.path) },
                                                         copyPart: Int32(part.copiedFrom?.part ?? 0)))
                        }
                        return withExtendedLifetime(arena) {
                            exrshim_write_parts(temp.path, shimParts, Int32(shimParts.count), Int32(compression.rawValue),
                                                dwaCompressionLevel ?? 0, Int32(threads), &message, message.count)
                        }
                    }
                }
            }
            guard status == 0 else { throw PlateIOError(.writeFailed, file: url.path, reason: shimMessage(message)) }
        }
    }

    /// Exact uint planes must name channels of `image` and have its size.
    static func checkExactPlanes(_ uintPlanes: [String: [UInt32]], of image: ImageBuffer, fail: (String) -> PlateIOError) throws {
        for (name, plane) in uintPlanes where image.channelIndex(name) == nil || plane.count != image.width * image.height {
            throw fail("exact uint samples of \(name) do not match a channel of the \(image.width)x\(image.height) image")
        }
    }
}

/// C strings and arrays handed to the shim, freed together when the arena goes.
final class ShimArena {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutableRawPointer] = []

    func string(_ text: String) -> UnsafeMutablePointer<CChar>? {
        let s = strdup(text)
        if let s { strings.append(s) }
        return s
    }

    /// `count` (at least one) uninitialised values of a trivial C type, which the caller fills before use.
    func allocate<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.stride * max(1, count), alignment: MemoryLayout<T>.alignment)
        arrays.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    deinit {
        strings.forEach { free($0) }
        arrays.forEach { $0.deallocate() }
    }
}
