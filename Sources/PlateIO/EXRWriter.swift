import ExrShim
import Foundation
import Imaging
import Support

/// Writes EXR files (overview in EXRImage.swift).
public enum ExrWriter {
    /// Writes `image` as a single-part scanline EXR at `url`, atomically (temp file + rename).
    ///
    /// - header: windows and attributes to write; nil writes a data = display window at (0, 0).
    ///   Its data window must have the image's size. Structural attributes are recomputed.
    /// - compression: overrides `header.compression` when given.
    /// - pixelType: for every channel, unless `channelTypes` names the channel.
    /// - uintPlanes: exact samples of uint channels by name, written instead of their Float plane
    ///   (Float32 holds integers only up to 2^24).
    /// - dwaCompressionLevel: DWAA/DWAB quality; nil keeps a `dwaCompressionLevel` attribute of
    ///   the header, else OpenEXR's default (45).
    /// - threads: chunks are compressed by this many threads.
    public static func write(_ image: ImageBuffer, header: ExrHeader? = nil, to url: URL,
                             compression: ExrCompression? = nil, pixelType: ExrPixelType = .half,
                             channelTypes: [String: ExrPixelType] = [:], uintPlanes: [String: [UInt32]] = [:],
                             dwaCompressionLevel: Float? = nil, threads: Int = workerCount) throws {
        try write(image, header: header, to: url, compression: compression, pixelType: pixelType, channelTypes: channelTypes,
                  uintPlanes: uintPlanes, dwaCompressionLevel: dwaCompressionLevel, threads: threads, throughOutputFile: false)
    }

    /// `throughOutputFile` sends NONE files through Imf::OutputFile as well, instead of the packed
    /// chunks the C core writes (tests compare the two).
    static func write(_ image: ImageBuffer, header: ExrHeader?, to url: URL, compression: ExrCompression?,
                      pixelType: ExrPixelType, channelTypes: [String: ExrPixelType], uintPlanes: [String: [UInt32]] = [:],
                      dwaCompressionLevel: Float?, threads: Int, throughOutputFile: Bool) throws {
        let header = header ?? ExrHeader(dataWindow: PixelBox(width: image.width, height: image.height))
        func fail(_ kind: PlateIOError.Kind, _ reason: String) -> PlateIOError {
            PlateIOError(kind, file: url.path, reason: reason)
        }
        guard header.dataWindow.width == image.width, header.dataWindow.height == image.height else {
            throw fail(.invalidRequest, "image is \(image.width)x\(image.height) but the data window is \(header.dataWindow)")
        }
        guard !header.displayWindow.isEmpty, image.width > 0, image.height > 0 else {
            throw fail(.invalidRequest, "empty image or display window \(header.displayWindow)")
        }
        guard image.channelNames.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 255 }) else {
            throw fail(.invalidRequest, "channel names must have 1 to 255 bytes: \(image.channelNames)")
        }
        try checkExactPlanes(uintPlanes, of: image) { fail(.invalidRequest, $0) }
        var level = dwaCompressionLevel ?? 0
        if dwaCompressionLevel == nil, case .float(let stored)? = header.attributes["dwaCompressionLevel"] { level = stored }

        // Attribute names, types and bytes stay alive (as C strings and arrays) for the shim call.
        let passed = header.attributes.filter { !ExrHeader.structuralNames.contains($0.key) }.sorted { $0.key < $1.key }
        let names = passed.map { strdup($0.key) } + image.channelNames.map { strdup($0) }
        let types = passed.map { strdup($0.value.typeName) }
        defer { (names + types).forEach { free($0) } }
        let values = passed.map { $0.value.encoded() }

        var message = [CChar](repeating: 0, count: 512)
        try AtomicFile.write(to: url) { temp in
            let status: Int32 = withBasePointers(values) { valuePointers in
                let attributes = passed.indices.map { i in
                    ExrShimAttribute(name: names[i], type: types[i], bytes: valuePointers[i], size: Int32(values[i].count))
                }
                let exact = image.channelNames.map { uintPlanes[$0] ?? [] }
                return withBasePointers(image.planes) { planePointers in withBasePointers(exact) { exactPointers in
                    let channels = image.channelNames.indices.map { c in
                        let type = channelTypes[image.channelNames[c]] ?? pixelType
                        return ExrShimChannel(name: names[passed.count + c], pixelType: type.rawValue, plane: planePointers[c],
                                              uintPlane: type == .uint && !exact[c].isEmpty ? exactPointers[c] : nil)
                    }
                    let data = header.dataWindow.corners.map { Int32(truncatingIfNeeded: $0) }
                    let display = header.displayWindow.corners.map { Int32(truncatingIfNeeded: $0) }
                    return exrshim_write(temp.path, data, display, Int32(compression ?? header.compression), level,
                                         attributes, Int32(attributes.count), channels, Int32(channels.count),
                                         Int32(threads), throughOutputFile ? Int32(EXRSHIM_WRITE_THROUGH_OUTPUTFILE) : 0,
                                         &message, message.count)
                } }
            }
            guard status == 0 else { throw fail(.writeFailed, shimMessage(message)) }
        }
    }
}

private extension Int32 {
    init(_ compression: ExrCompression) { self = Int32(compression.rawValue) }
}

/// Calls `body` with stable base pointers of every array at once.
func withBasePointers<T, R>(_ arrays: [[T]], _ body: ([UnsafePointer<T>?]) -> R) -> R {
    var pointers: [UnsafePointer<T>?] = []
    func nest(_ i: Int) -> R {
        if i == arrays.count { return body(pointers) }
        return arrays[i].withUnsafeBufferPointer { buffer in
            pointers.append(buffer.baseAddress)
            return nest(i + 1)
        }
    }
    return nest(0)
}
