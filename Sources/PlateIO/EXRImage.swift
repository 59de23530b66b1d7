import ExrShim
import Foundation
import Imaging
import Support

// # EXR in PlateIO
//
// Reading (`ExrImage`):
//     let (image, header) = try ExrImage.read(url)                        // part 0, every channel
//     let (beauty, _) = try ExrImage.read(url, part: "beauty", layer: "") // unprefixed R,G,B,A
//     let (diffuse, _) = try ExrImage.read(url, part: 2, layer: "diffuse") // diffuse.R -> R ...
//     let headers = try ExrImage.headers(of: url)                         // all parts, no pixels
// - Pixels arrive as `ImageBuffer` (planar Float32) covering the **data window**; `header.dataWindow`
//   and `header.displayWindow` are inclusive `PixelBox`es in absolute pixel coordinates (origins may
//   be negative). Scanline and tiled parts (level 0 of mip/ripmaps), every compression OpenEXR 3.1
//   has (none rle zips zip piz pxr24 b44 b44a dwaa dwab), half/float/uint channels (uint values above
//   2^24 lose precision in Float32: `readPart` also gives them exactly, and every level of a
//   mip/ripmapped part, for writing a part through unchanged).
// - `layer`: nil = every channel with its full name; "" = channels without a '.'; "name" = the
//   `name.*` channels with the prefix removed. Channels come R, G, B, A first, then file order.
// - Luminance/chroma parts (Y, RY, BY) are converted to R, G, B(, A) by OpenEXR's RgbaInputFile
//   (part 0's base layer only; with `layer: nil` the part's other channels come too, as stored); deep parts, subsampled channels and HTJ2K are rejected.
// - `header.attributes` holds every non-structural attribute as a typed `ExrAttribute`.
//
// Writing (`ExrWriter`, EXRWriter.swift):
//     try ExrWriter.write(image, header: header, to: out, compression: .dwaa, pixelType: .half)
// - Single-part scanline (`ExrWriter.writeParts` writes multi-part files, tiled parts too: EXRWriterParts.swift); the image must match `header.dataWindow`'s size; the display window and all
//   `header.attributes` are written as given; extra channels (`swap.A`) are just more planes.
// - Written to a temporary file beside `out`, then renamed (Support.AtomicFile).
//
// Errors: every failure is a `PlateIOError` naming the file (and part/channel). Damaged files
// never crash: headers are parsed and size-checked in Swift (EXRHeaderParser.swift) before
// OpenEXR opens them, and the C++ shim turns every exception into an error message.

/// Options for reading EXR pixels.
public struct ExrReadOptions: Sendable {
    /// Threads OpenEXR decodes with (1: only the calling thread).
    public var threads: Int
    /// The most bytes of Float32 planes a read may allocate; larger reads fail with `.tooLarge`.
    public var maxBytes: Int
    /// Convert luminance/chroma (Y, RY, BY) parts to RGB; when false they are rejected.
    public var convertLuminanceChroma: Bool

    public init(threads: Int = workerCount, maxBytes: Int = 1 << 30, convertLuminanceChroma: Bool = true) {
        self.threads = threads
        self.maxBytes = maxBytes
        self.convertLuminanceChroma = convertLuminanceChroma
    }
}

/// Reads EXR files (see the overview at the top of this file).
public enum ExrImage {
    /// Headers of every part, parsed and checked without decoding pixels.
    public static func headers(of url: URL) throws -> [ExrHeader] {
        try ExrHeaderParser.parse(fileAt: url)
    }

    /// Reads the data window of one part (or one layer of it) into planar Float32.
    public static func read(_ url: URL, part: ExrPartSelector = 0, layer: String? = nil,
                            options: ExrReadOptions = ExrReadOptions()) throws -> (image: ImageBuffer, header: ExrHeader) {
        var image = ImageBuffer(width: 0, height: 0, channels: [])
        let header = try read(url, part: part, layer: layer, options: options, into: &image)
        return (image, header)
    }

    /// Like `read(_:part:layer:options:)`, but decodes into the planes `image` already holds when
    /// they have the right size, so reading a sequence frame after frame reuses the same memory:
    /// on this kind of machine first-touch page faults of fresh planes cost more than decoding an
    /// uncompressed frame (BENCHMARKS.md). `image` is replaced by the new pixels (empty on error).
    @discardableResult
    public static func read(_ url: URL, part: ExrPartSelector = 0, layer: String? = nil,
                            options: ExrReadOptions = ExrReadOptions(), into image: inout ImageBuffer) throws -> ExrHeader {
        try read(url, part: part, layer: layer, options: options, into: &image, exactUint: false).header
    }

    /// `read(_:part:layer:options:into:)`; with `exactUint`, the selected uint channels' samples
    /// also come as they are stored (by output name), their Float planes holding the nearest Float32.
    static func read(_ url: URL, part: ExrPartSelector, layer: String?, options: ExrReadOptions, into image: inout ImageBuffer,
                     exactUint: Bool) throws -> (header: ExrHeader, uintPlanes: [String: [UInt32]]) {
        var spare = image.planes
        image = ImageBuffer(width: 0, height: 0, channels: [])   // leaves `spare`'s planes uniquely referenced
        let headers = try ExrHeaderParser.parse(fileAt: url)
        let index = try resolve(part, in: headers, file: url.path)
        let header = headers[index]
        let label = partLabel(index, header)
        func fail(_ kind: PlateIOError.Kind, _ reason: String, channel: String? = nil) -> PlateIOError {
            PlateIOError(kind, file: url.path, part: label, channel: channel, reason: reason)
        }
        guard !header.partType.isDeep else {
            throw fail(.unsupported, "deep data is not supported (part type \(header.partType.rawValue))")
        }
        let selection = try selectChannels(header, layer: layer, fail: fail)
        let width = header.dataWindow.width, height = header.dataWindow.height

        if selection.contains(where: { ["RY", "BY"].contains($0.outputName) }) {
            guard options.convertLuminanceChroma, index == 0, layer == nil || layer == "" else {
                throw fail(.unsupported, "luminance/chroma (Y, RY, BY) channels are only converted to RGB in part 0's base layer")
            }
            let hasAlpha = selection.contains { $0.outputName == "A" }
            // Every channel (`layer: nil`): the part's other layers too, read as stored, so that
            // writing the part through (OutputFrame.parts) keeps them.
            let others = layer == nil ? selection.filter { !["Y", "RY", "BY", "A"].contains($0.fileName) } : []
            try checkSize(width, height, channels: (hasAlpha ? 4 : 3) + others.count, options, fail: fail)
            image = try readLuminanceChroma(url, width: width, height: height, alpha: hasAlpha, options: options, fail: fail)
            guard !others.isEmpty else { return (header, [:]) }
            try rejectSubsampled(others, header, fail: fail)
            var planes = others.map { _ in uninitializedPlane(width * height) }
            let exact = others.map { exactUint && header.channel(named: $0.fileName)?.pixelType == .uint }
            let samples = try decode(url, part: index, levelX: 0, levelY: 0, width: width, height: height, channels: others.map(\.fileName),
                                     exact: exact, into: &planes, threads: options.threads, fail: fail)
            for (channel, plane) in zip(others, planes) { image.addChannel(channel.outputName, plane: plane) }
            return (header, Dictionary(uniqueKeysWithValues: samples.map { (others[$0.key].outputName, $0.value) }))
        }
        try rejectSubsampled(selection, header, fail: fail)
        try checkSize(width, height, channels: selection.count, options, fail: fail)

        var planes = selection.indices.map { i -> [Float] in
            guard i < spare.count, spare[i].count == width * height else { return uninitializedPlane(width * height) }
            defer { spare[i] = [] }
            return spare[i]
        }
        spare = []
        let exact = selection.map { exactUint && header.channel(named: $0.fileName)?.pixelType == .uint }
        let samples = try decode(url, part: index, levelX: 0, levelY: 0, width: width, height: height, channels: selection.map(\.fileName), exact: exact,
                                 into: &planes, threads: options.threads, fail: fail)
        image = ImageBuffer(width: width, height: height, channels: selection.map(\.outputName), planes: planes)
        return (header, Dictionary(uniqueKeysWithValues: samples.map { (selection[$0.key].outputName, $0.value) }))
    }

    /// One part as the file stores it, for writing it through unchanged: every channel (full names,
    /// as `read(_:part:layer: nil)` gives them), the exact samples of its uint channels in
    /// `uintPlanes`, and for a mip- or rip-mapped tiled part every reduced level in `levels`
    /// (unless `levels` is false: a part about to be changed needs only its full resolution).
    public static func readPart(_ url: URL, part index: Int, levels: Bool = true, options: ExrReadOptions = ExrReadOptions()) throws -> ExrPartImage {
        var image = ImageBuffer(width: 0, height: 0, channels: [])
        let (header, uintPlanes) = try read(url, part: .index(index), layer: nil, options: options, into: &image, exactUint: true)
        var part = ExrPartImage(image: image, header: header, channelTypes: ExrPartImage.fileTypes(header))
        part.uintPlanes = uintPlanes
        let names = image.channelNames
        // A luminance/chroma part arrives as R, G, B: it has no stored levels to add.
        guard levels, let tiles = header.tiles, tiles.levelMode != .oneLevel, names.allSatisfy({ header.channel(named: $0) != nil }) else { return part }
        let label = partLabel(index, header)
        func fail(_ kind: PlateIOError.Kind, _ reason: String, channel: String? = nil) -> PlateIOError {
            PlateIOError(kind, file: url.path, part: label, channel: channel, reason: reason)
        }
        let exact = names.map { header.channel(named: $0)?.pixelType == .uint }
        for level in tiles.levels(of: header.dataWindow).dropFirst() {
            try checkSize(level.width, level.height, channels: names.count, options, fail: fail)
            var planes = names.map { _ in uninitializedPlane(level.width * level.height) }
            let samples = try decode(url, part: index, levelX: level.levelX, levelY: level.levelY, width: level.width, height: level.height,
                                     channels: names, exact: exact,
                                     into: &planes, threads: options.threads, fail: fail)
            part.levels.append(ExrLevelImage(level: level, image: ImageBuffer(width: level.width, height: level.height, channels: names, planes: planes),
                                             uintPlanes: Dictionary(uniqueKeysWithValues: samples.map { (names[$0.key], $0.value) })))
        }
        return part
    }

    /// Decodes level (`levelX`, `levelY`) of part `index` into `planes` (one per channel, of the
    /// level's size, `width` x `height`, which the shim checks). The channels flagged in `exact` (uint ones) are decoded as UInt32 into their
    /// plane's memory and returned by plane index; their plane then holds the nearest Float32.
    static func decode(_ url: URL, part index: Int, levelX: Int, levelY: Int, width: Int, height: Int, channels: [String], exact: [Bool],
                       into planes: inout [[Float]], threads: Int, fail: (PlateIOError.Kind, String, String?) -> PlateIOError) throws -> [Int: [UInt32]] {
        var message = [CChar](repeating: 0, count: 512)
        let status: Int32 = try withOpenFile(url, threads: threads, fail: fail) { reader in
            withPlanePointers(&planes) { pointers in
                let names = channels.map { strdup($0) }
                defer { names.forEach { free($0) } }
                let constNames: [UnsafePointer<CChar>?] = names.map { UnsafePointer($0) }
                let raw: [UnsafeMutableRawPointer?] = pointers.map { UnsafeMutableRawPointer($0) }
                let types = exact.map { Int32($0 ? EXRSHIM_UINT : EXRSHIM_FLOAT) }
                return exrshim_read_level(reader, Int32(index), Int32(levelX), Int32(levelY), Int64(width), Int64(height), constNames, raw,
                                          types, Int32(channels.count), &message, message.count)
            }
        }
        guard status == 0 else { throw fail(.corrupt, "cannot read pixels: \(shimMessage(message))", nil) }
        var samples: [Int: [UInt32]] = [:]
        for i in exact.indices where exact[i] {
            samples[i] = planes[i].map(\.bitPattern)
            planes[i].withUnsafeMutableBufferPointer { plane in
                for j in plane.indices { plane[j] = Float(plane[j].bitPattern) }
            }
        }
        return samples
    }

    /// Every part of the file with every channel (full names), as `read(_:part:layer: nil)` reads each.
    public static func readParts(_ url: URL, options: ExrReadOptions = ExrReadOptions()) throws -> [(image: ImageBuffer, header: ExrHeader)] {
        try ExrHeaderParser.parse(fileAt: url).indices.map { try read(url, part: .index($0), layer: nil, options: options) }
    }

    /// Reads every raw chunk of every part without decoding it: finds truncated files and damaged
    /// chunk leaders at the cost of one pass over the file. Deep parts are rejected.
    public static func verify(_ url: URL, threads: Int = 1) throws {
        let headers = try ExrHeaderParser.parse(fileAt: url)
        for (index, header) in headers.enumerated() where header.partType.isDeep {
            throw PlateIOError(.unsupported, file: url.path, part: partLabel(index, header),
                               reason: "deep data is not supported (part type \(header.partType.rawValue))")
        }
        for (index, header) in headers.enumerated() { try verifyChunks(url, part: index, header: header, threads: threads) }
    }

    /// Reads every raw chunk of part `index` of `url` (deep parts too) without decoding it.
    static func verifyChunks(_ url: URL, part index: Int, header: ExrHeader, threads: Int = 1) throws {
        var message = [CChar](repeating: 0, count: 512)
        let fail = { (kind: PlateIOError.Kind, reason: String, _: String?) in
            PlateIOError(kind, file: url.path, part: partLabel(index, header), reason: reason)
        }
        let status = try withOpenFile(url, threads: threads, fail: fail) { reader in
            exrshim_verify_chunks(reader, Int32(index), &message, message.count)
        }
        guard status == 0 else { throw fail(.corrupt, "damaged pixel data: \(shimMessage(message))", nil) }
    }

    /// `"name"` for named parts, else the index: how errors and `info` refer to a part.
    static func partLabel(_ index: Int, _ header: ExrHeader) -> String {
        header.partName.map { "\"\($0)\"" } ?? String(index)
    }

    static func resolve(_ selector: ExrPartSelector, in headers: [ExrHeader], file: String) throws -> Int {
        switch selector {
        case .index(let i):
            guard headers.indices.contains(i) else {
                throw PlateIOError(.invalidRequest, file: file, part: String(i), reason: "no such part (the file has \(headers.count))")
            }
            return i
        case .name(let name):
            guard let i = headers.firstIndex(where: { $0.partName == name }) else {
                let names = headers.compactMap(\.partName)
                throw PlateIOError(.invalidRequest, file: file, part: "\"\(name)\"",
                                   reason: "no such part (parts: \(names.isEmpty ? "none named" : names.joined(separator: ", ")))")
            }
            return i
        }
    }

    struct SelectedChannel {
        let fileName: String
        let outputName: String
    }

    /// The channels of `layer` (see the overview), R, G, B, A first.
    static func selectChannels(_ header: ExrHeader, layer: String?,
                               fail: (PlateIOError.Kind, String, String?) -> PlateIOError) throws -> [SelectedChannel] {
        var selected: [SelectedChannel] = []
        for channel in header.channels {
            switch layer {
            case nil:
                selected.append(SelectedChannel(fileName: channel.name, outputName: channel.name))
            case ""?:
                if !channel.name.contains(".") { selected.append(SelectedChannel(fileName: channel.name, outputName: channel.name)) }
            case let prefix?:
                if channel.name.hasPrefix(prefix + "."), channel.name.count > prefix.count + 1 {
                    selected.append(SelectedChannel(fileName: channel.name, outputName: String(channel.name.dropFirst(prefix.count + 1))))
                }
            }
        }
        guard !selected.isEmpty else {
            let layers = header.layers.map { $0.isEmpty ? "\"\" (unprefixed)" : $0 }.joined(separator: ", ")
            throw fail(.invalidRequest, "no channels in layer \"\(layer ?? "")\" (layers: \(layers))", nil)
        }
        let first = ["R", "G", "B", "A"]
        return selected.enumerated().sorted { a, b in
            let ra = first.firstIndex(of: a.element.outputName) ?? first.count + a.offset
            let rb = first.firstIndex(of: b.element.outputName) ?? first.count + b.offset
            return ra < rb
        }.map(\.element)
    }

    static func rejectSubsampled(_ selection: [SelectedChannel], _ header: ExrHeader,
                                 fail: (PlateIOError.Kind, String, String?) -> PlateIOError) throws {
        if let sub = selection.first(where: { header.channel(named: $0.fileName).map { $0.xSampling != 1 || $0.ySampling != 1 } ?? false }),
           let channel = header.channel(named: sub.fileName) {
            throw fail(.unsupported, "subsampled channels (\(channel.xSampling)x\(channel.ySampling)) are not supported", channel.name)
        }
    }

    static func checkSize(_ width: Int, _ height: Int, channels: Int, _ options: ExrReadOptions,
                          fail: (PlateIOError.Kind, String, String?) -> PlateIOError) throws {
        let bytes = width.multipliedReportingOverflow(by: height).partialValue.multipliedReportingOverflow(by: channels * 4)
        guard !bytes.overflow, bytes.partialValue <= options.maxBytes, width.multipliedReportingOverflow(by: height).overflow == false else {
            throw fail(.tooLarge, "\(width)x\(height) pixels x \(channels) channels exceeds the read limit of \(options.maxBytes >> 20) MiB", nil)
        }
    }

    private static func readLuminanceChroma(_ url: URL, width: Int, height: Int, alpha: Bool, options: ExrReadOptions,
                                            fail: (PlateIOError.Kind, String, String?) -> PlateIOError) throws -> ImageBuffer {
        let count = width * height
        var r = uninitializedPlane(count), g = uninitializedPlane(count), b = uninitializedPlane(count)
        var a = alpha ? uninitializedPlane(count) : []
        var message = [CChar](repeating: 0, count: 512)
        let status = r.withUnsafeMutableBufferPointer { rp in
            g.withUnsafeMutableBufferPointer { gp in
                b.withUnsafeMutableBufferPointer { bp in
                    a.withUnsafeMutableBufferPointer { ap in
                        exrshim_read_rgba(url.path, Int32(options.threads), rp.baseAddress, gp.baseAddress, bp.baseAddress,
                                          alpha ? ap.baseAddress : nil, &message, message.count)
                    }
                }
            }
        }
        guard status == 0 else { throw fail(.corrupt, "cannot read luminance/chroma pixels: \(shimMessage(message))", nil) }
        return ImageBuffer(width: width, height: height, channels: alpha ? ["R", "G", "B", "A"] : ["R", "G", "B"],
                           planes: alpha ? [r, g, b, a] : [r, g, b])
    }

    /// Opens the file with the shim for the duration of `body`.
    static func withOpenFile<T>(_ url: URL, threads: Int, fail: (PlateIOError.Kind, String, String?) -> PlateIOError,
                                _ body: (OpaquePointer) throws -> T) throws -> T {
        var message = [CChar](repeating: 0, count: 512)
        guard let reader = exrshim_open(url.path, Int32(threads), &message, message.count) else {
            throw fail(.corrupt, "cannot open: \(shimMessage(message))", nil)
        }
        defer { exrshim_close(reader) }
        return try body(reader)
    }
}

/// A Float32 plane whose contents the decoder overwrites completely (no zero-fill pass). Large
/// planes ask for transparent huge pages: a 4K frame's planes take ~130 MB, and faulting them in
/// 4 KiB pages costs several times the decode of an uncompressed file here (BENCHMARKS.md).
func uninitializedPlane(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
        initialized = count
    }
}

/// madvise(MADV_HUGEPAGE) on the whole 2 MiB pages inside `buffer`, before anything touches them.
private func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
    let huge = 2 << 20
    guard let base = buffer.baseAddress, buffer.count >= 2 * huge else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
    if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
    #endif
}

/// Calls `body` with stable pointers to every plane at once.
func withPlanePointers<R>(_ planes: inout [[Float]], _ body: ([UnsafeMutablePointer<Float>?]) throws -> R) rethrows -> R {
    var pointers: [UnsafeMutablePointer<Float>?] = []
    func nest(_ i: Int) throws -> R {
        if i == planes.count { return try body(pointers) }
        var plane = planes[i]
        planes[i] = []  // leave `plane` uniquely referenced so its storage is not copied
        defer { planes[i] = plane }
        return try plane.withUnsafeMutableBufferPointer { buffer in
            pointers.append(buffer.baseAddress)
            return try nest(i + 1)
        }
    }
    return try nest(0)
}

/// The shim's error text on one line (OpenEXR messages may hold newlines).
func shimMessage(_ buffer: [CChar]) -> String {
    String(cString: buffer).replacingOccurrences(of: "\n", with: " ")
}
