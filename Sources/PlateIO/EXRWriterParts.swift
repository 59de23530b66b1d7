import ExrShim
import Foundation
import Imaging
import Support

/// One part of a multi-part file to write: its pixels (covering `header.dataWindow`), its header
/// (name, windows, attributes) and the pixel type of each channel.
public struct ExrPartImage {
    public var image: ImageBuffer
    public var header: ExrHeader
    /// Pixel types by channel name; channels not named are written as the write's `pixelType`.
    public var channelTypes: [String: ExrPixelType]

    public init(image: ImageBuffer, header: ExrHeader, channelTypes: [String: ExrPixelType] = [:]) {
        self.image = image
        self.header = header
        self.channelTypes = channelTypes
    }

    /// The pixel types the part's channels have in `header` (as read from a file).
    public static func fileTypes(_ header: ExrHeader) -> [String: ExrPixelType] {
        Dictionary(header.channels.map { ($0.name, $0.pixelType) }, uniquingKeysWith: { a, _ in a })
    }
}

extension ExrWriter {
    /// Writes `parts` as one multi-part scanline file at `url`, atomically: each part with its own
    /// name (required, unique), windows, attributes and channel types; `compression` for all.
    public static func writeParts(_ parts: [ExrPartImage], to url: URL, compression: ExrCompression, pixelType: ExrPixelType = .half,
                                  dwaCompressionLevel: Float? = nil, threads: Int = workerCount) throws {
        func fail(_ reason: String) -> PlateIOError { PlateIOError(.invalidRequest, file: url.path, reason: reason) }
        guard !parts.isEmpty else { throw fail("no parts to write") }
        var seen = Set<String>()
        for (index, part) in parts.enumerated() {
            guard let name = part.header.partName, !name.isEmpty else { throw fail("part \(index) has no name (every part of a multi-part file needs one)") }
            guard seen.insert(name).inserted else { throw fail("two parts are named \"\(name)\"") }
            guard part.header.dataWindow.width == part.image.width, part.header.dataWindow.height == part.image.height else {
                throw fail("part \"\(name)\": image is \(part.image.width)x\(part.image.height) but the data window is \(part.header.dataWindow)")
            }
            guard !part.header.displayWindow.isEmpty, part.image.width > 0, part.image.height > 0, !part.image.channelNames.isEmpty else {
                throw fail("part \"\(name)\": empty image or display window \(part.header.displayWindow)")
            }
            guard part.image.channelNames.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 255 }) else {
                throw fail("part \"\(name)\": channel names must have 1 to 255 bytes: \(part.image.channelNames)")
            }
        }
        let passed = parts.map { $0.header.attributes.filter { !ExrHeader.structuralNames.contains($0.key) }.sorted { $0.key < $1.key } }
        // C strings, attribute bytes and the per-part arrays stay alive until the shim returns.
        var strings: [UnsafeMutablePointer<CChar>?] = []
        func c(_ text: String) -> UnsafeMutablePointer<CChar>? {
            let s = strdup(text)
            strings.append(s)
            return s
        }
        defer { strings.forEach { free($0) } }
        let values = passed.flatMap { $0.map { $0.value.encoded() } }
        let planes = parts.flatMap(\.image.planes)
        var message = [CChar](repeating: 0, count: 512)
        try AtomicFile.write(to: url) { temp in
            let status: Int32 = withBasePointers(values) { valuePointers in
                withBasePointers(planes) { planePointers in
                    var attributeArrays: [UnsafeMutableBufferPointer<ExrShimAttribute>] = []
                    var channelArrays: [UnsafeMutableBufferPointer<ExrShimChannel>] = []
                    var windows: [UnsafeMutableBufferPointer<Int32>] = []
                    defer {
                        attributeArrays.forEach { $0.deallocate() }
                        channelArrays.forEach { $0.deallocate() }
                        windows.forEach { $0.deallocate() }
                    }
                    var shimParts: [ExrShimPart] = []
                    var valueIndex = 0, planeIndex = 0
                    for (p, part) in parts.enumerated() {
                        let attributes = UnsafeMutableBufferPointer<ExrShimAttribute>.allocate(capacity: max(1, passed[p].count))
                        attributeArrays.append(attributes)
                        for (i, attribute) in passed[p].enumerated() {
                            attributes[i] = ExrShimAttribute(name: c(attribute.key), type: c(attribute.value.typeName),
                                                             bytes: valuePointers[valueIndex], size: Int32(values[valueIndex].count))
                            valueIndex += 1
                        }
                        let channels = UnsafeMutableBufferPointer<ExrShimChannel>.allocate(capacity: part.image.channelNames.count)
                        channelArrays.append(channels)
                        for (i, name) in part.image.channelNames.enumerated() {
                            channels[i] = ExrShimChannel(name: c(name), pixelType: (part.channelTypes[name] ?? pixelType).rawValue,
                                                         plane: planePointers[planeIndex])
                            planeIndex += 1
                        }
                        let window = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 8)
                        windows.append(window)
                        for (i, v) in (part.header.dataWindow.corners + part.header.displayWindow.corners).enumerated() {
                            window[i] = Int32(truncatingIfNeeded: v)
                        }
                        shimParts.append(ExrShimPart(name: c(part.header.partName!), dataWindow: UnsafePointer(window.baseAddress!),
                                                     displayWindow: UnsafePointer(window.baseAddress! + 4),
                                                     attributes: UnsafePointer(attributes.baseAddress!), attributeCount: Int32(passed[p].count),
                                                     channels: UnsafePointer(channels.baseAddress!), channelCount: Int32(part.image.channelNames.count)))
                    }
                    return exrshim_write_parts(temp.path, shimParts, Int32(shimParts.count), Int32(compression.rawValue),
                                               dwaCompressionLevel ?? 0, Int32(threads), &message, message.count)
                }
            }
            guard status == 0 else { throw PlateIOError(.writeFailed, file: url.path, reason: shimMessage(message)) }
        }
    }
}
