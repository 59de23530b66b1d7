import Foundation

/// Parses and checks EXR headers straight from the file's bytes, before OpenEXR is allowed near the
/// file. This is the guard against damaged and hostile files: every size that OpenEXR would use to
/// allocate (chunk tables, line and tile buffers) is checked against the file size and fixed limits
/// here, and compressions OpenEXR 3.1 does not know (HTJ2K) are named in the error.
enum ExrHeaderParser {
    static let magic: [UInt8] = [0x76, 0x2F, 0x31, 0x01]
    /// The largest single chunk buffer (scanline block or tile, all channels) OpenEXR may allocate.
    static let maxChunkBytes = 256 << 20

    private static let tiledFlag: UInt32 = 0x200, longNamesFlag: UInt32 = 0x400
    private static let nonImageFlag: UInt32 = 0x800, multipartFlag: UInt32 = 0x1000

    /// True when `prefix` starts with the EXR magic number.
    static func hasMagic(_ prefix: [UInt8]) -> Bool { prefix.count >= 4 && Array(prefix[0..<4]) == magic }

    /// Reads and checks all part headers of the file at `url`.
    static func parse(fileAt url: URL) throws -> [ExrHeader] {
        let file = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw PlateIOError(.notFound, file: file, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw PlateIOError(.notRecognized, file: file, reason: "is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw PlateIOError(.notFound, file: file, reason: "cannot open: \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { try parse($0, file: file) }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> [ExrHeader] {
        func fail(_ kind: PlateIOError.Kind, _ reason: String, part: Int? = nil) -> PlateIOError {
            PlateIOError(kind, file: file, part: part.map(String.init), reason: reason)
        }
        guard bytes.count > 0 else { throw fail(.notRecognized, "not an OpenEXR file (empty file)") }
        guard bytes.count >= 8, hasMagic(Array(bytes[0..<4])) else {
            throw fail(.notRecognized, "not an OpenEXR file (no EXR magic number)")
        }
        var reader = ExrByteReader(bytes, offset: 4)
        let versionField = try reader.uint32()
        let version = versionField & 0xFF, flags = versionField & ~0xFF
        guard version == 2 else { throw fail(.notRecognized, "unsupported OpenEXR file version \(version) (expected 2)") }
        let known = tiledFlag | longNamesFlag | nonImageFlag | multipartFlag
        guard flags & ~known == 0 else {
            throw fail(.unsupported, "unknown version flags 0x\(String(flags & ~known, radix: 16))")
        }
        let multipart = flags & multipartFlag != 0
        let maxName = flags & longNamesFlag != 0 ? 255 : 31

        var raw: [[String: (type: String, range: Range<Int>)]] = []
        do {
            repeat {
                if multipart, try peekByte(reader) == 0 { _ = try reader.uint8(); break }
                raw.append(try attributes(&reader, maxNameLength: maxName, file: file, part: raw.count))
            } while multipart
        } catch is ExrByteReader.OutOfBounds {
            throw fail(.corrupt, "header is truncated (file has \(bytes.count) bytes)")
        }
        guard !raw.isEmpty else { throw fail(.corrupt, "multi-part file without parts") }

        var headers: [ExrHeader] = []
        var chunks = 0
        for (index, table) in raw.enumerated() {
            let header = try typedHeader(table, bytes: bytes, flags: flags, multipart: multipart, file: file, part: index)
            chunks += try chunkCount(header, table: table, bytes: bytes, file: file, part: index)
            headers.append(header)
        }
        // Each chunk has an 8-byte entry in the offset tables that follow the headers.
        let tableBytes = chunks.multipliedReportingOverflow(by: 8)
        guard !tableBytes.overflow, tableBytes.partialValue <= bytes.count - reader.offset else {
            throw fail(.corrupt, "header declares \(chunks) chunks, more than the file's \(bytes.count) bytes can hold")
        }
        return headers
    }

    private static func peekByte(_ reader: ExrByteReader) throws -> UInt8 {
        var copy = reader
        return try copy.uint8()
    }

    /// One header's attributes: name -> (type, byte range of the value in the file).
    private static func attributes(_ reader: inout ExrByteReader, maxNameLength: Int, file: String,
                                   part: Int) throws -> [String: (type: String, range: Range<Int>)] {
        var table: [String: (type: String, range: Range<Int>)] = [:]
        while true {
            let nameBytes = try reader.cString(maxLength: maxNameLength)
            if nameBytes.isEmpty { return table }
            let typeBytes = try reader.cString(maxLength: maxNameLength)
            let size = Int(try reader.int32())
            guard size >= 0, size <= reader.remaining else { throw ExrByteReader.OutOfBounds() }
            let name = String(decoding: nameBytes, as: UTF8.self), type = String(decoding: typeBytes, as: UTF8.self)
            guard table[name] == nil else {
                throw PlateIOError(.corrupt, file: file, part: String(part), reason: "attribute \(name) appears twice")
            }
            table[name] = (type, reader.offset..<(reader.offset + size))
            try reader.skip(size)
        }
    }

    private static func typedHeader(_ table: [String: (type: String, range: Range<Int>)], bytes: UnsafeRawBufferPointer,
                                    flags: UInt32, multipart: Bool, file: String, part: Int) throws -> ExrHeader {
        let partLabel = String(part)
        func fail(_ kind: PlateIOError.Kind, _ reason: String) -> PlateIOError {
            PlateIOError(kind, file: file, part: partLabel, reason: reason)
        }
        func value(_ name: String, _ type: String) throws -> ExrAttribute? {
            guard let entry = table[name] else { return nil }
            guard entry.type == type else { throw fail(.corrupt, "attribute \(name) has type \(entry.type), expected \(type)") }
            do {
                return try ExrAttribute.decode(type: type, bytes: UnsafeRawBufferPointer(rebasing: bytes[entry.range]))
            } catch let error as ExrAttribute.Malformed {
                if name == "compression", error.reason.hasPrefix("compression HTJ2K") {
                    throw fail(.unsupported, "\(error.reason) is not supported: plateswap links OpenEXR \(PlateIOLibrary.openEXRVersion), HTJ2K needs OpenEXR >= 3.4")
                }
                if name == "compression" { throw fail(.unsupported, error.reason) }
                throw fail(.corrupt, "attribute \(name): \(error.reason)")
            }
        }
        func required(_ name: String, _ type: String) throws -> ExrAttribute {
            guard let v = try value(name, type) else { throw fail(.corrupt, "required attribute \(name) is missing") }
            return v
        }

        guard case .compression(let compression) = try required("compression", "compression"),
              case .box2i(let dataWindow) = try required("dataWindow", "box2i"),
              case .box2i(let displayWindow) = try required("displayWindow", "box2i"),
              case .lineOrder(let lineOrder) = try required("lineOrder", "lineOrder")
        else { throw fail(.corrupt, "unreadable structural attribute") }
        guard let channelEntry = table["channels"], channelEntry.type == "chlist" else {
            throw fail(.corrupt, "required attribute channels (chlist) is missing")
        }
        let channels = try channelList(UnsafeRawBufferPointer(rebasing: bytes[channelEntry.range]), fail: fail)
        guard !dataWindow.isEmpty, !displayWindow.isEmpty else {
            throw fail(.corrupt, "empty or inverted window: data \(dataWindow), display \(displayWindow)")
        }

        var partName: String?
        if let name = try value("name", "string") {
            guard case .string(let s) = name else { throw fail(.corrupt, "part name is not UTF-8") }
            partName = s
        }
        let partType: ExrPartType
        if case .string(let typeName)? = try value("type", "string") {
            guard let t = ExrPartType(rawValue: typeName) else { throw fail(.unsupported, "unknown part type \"\(typeName)\"") }
            partType = t
        } else if multipart {
            throw fail(.corrupt, "multi-part file without a part type")
        } else {
            partType = flags & nonImageFlag != 0 ? .deepScanline : (flags & tiledFlag != 0 ? .tiled : .scanline)
        }
        var tiles: ExrTileDescription?
        if partType == .tiled || partType == .deepTiled {
            guard case .tiles(let t) = try required("tiles", "tiledesc") else { throw fail(.corrupt, "bad tiles attribute") }
            guard t.xSize >= 1, t.ySize >= 1, t.xSize <= Int(Int32.max), t.ySize <= Int(Int32.max) else {
                throw fail(.corrupt, "bad tile size \(t.xSize)x\(t.ySize)")
            }
            tiles = t
        }

        var attributes: [String: ExrAttribute] = [:]
        for (name, entry) in table where !ExrHeader.structuralNames.contains(name) {
            do {
                attributes[name] = try ExrAttribute.decode(type: entry.type, bytes: UnsafeRawBufferPointer(rebasing: bytes[entry.range]))
            } catch let error as ExrAttribute.Malformed {
                throw fail(.corrupt, "attribute \(name): \(error.reason)")
            }
        }
        return ExrHeader(partName: partName, partType: partType, dataWindow: dataWindow, displayWindow: displayWindow,
                         channels: channels, compression: compression, lineOrder: lineOrder, tiles: tiles,
                         attributes: attributes)
    }

    private static func channelList(_ bytes: UnsafeRawBufferPointer, fail: (PlateIOError.Kind, String) -> PlateIOError) throws -> [ExrChannel] {
        var reader = ExrByteReader(bytes)
        var channels: [ExrChannel] = []
        do {
            while true {
                let name = try reader.cString(maxLength: 255)
                if name.isEmpty { break }
                let type = try reader.int32()
                let pLinear = try reader.uint8()
                try reader.skip(3)
                let xs = Int(try reader.int32()), ys = Int(try reader.int32())
                let channelName = String(decoding: name, as: UTF8.self)
                guard let pixelType = ExrPixelType(rawValue: type) else { throw fail(.corrupt, "channel \(channelName) has unknown pixel type \(type)") }
                guard xs >= 1, ys >= 1 else { throw fail(.corrupt, "channel \(channelName) has sampling \(xs)x\(ys)") }
                guard !channels.contains(where: { $0.name == channelName }) else { throw fail(.corrupt, "channel \(channelName) appears twice") }
                channels.append(ExrChannel(name: channelName, pixelType: pixelType, xSampling: xs, ySampling: ys, pLinear: pLinear != 0))
            }
        } catch is ExrByteReader.OutOfBounds {
            throw fail(.corrupt, "channel list is truncated")
        }
        return channels
    }

    /// Chunks the part's offset table holds (at least level 0's), after checking the buffer sizes
    /// OpenEXR derives from the header.
    private static func chunkCount(_ header: ExrHeader, table: [String: (type: String, range: Range<Int>)],
                                   bytes: UnsafeRawBufferPointer, file: String, part: Int) throws -> Int {
        func fail(_ reason: String) -> PlateIOError { PlateIOError(.corrupt, file: file, part: String(part), reason: reason) }
        var declared = 0
        if let entry = table["chunkCount"] {
            guard entry.type == "int", entry.range.count == 4 else { throw fail("bad chunkCount attribute") }
            var r = ExrByteReader(UnsafeRawBufferPointer(rebasing: bytes[entry.range]))
            declared = Int(try r.int32())
            guard declared >= 0 else { throw fail("negative chunkCount \(declared)") }
        }
        if header.partType.isDeep { return declared }
        let width = header.dataWindow.width, height = header.dataWindow.height
        let pixel = header.bytesPerPixel
        let computed: Int
        let chunkBytes: (partialValue: Int, overflow: Bool)
        if let tiles = header.tiles {
            let across = (width + tiles.xSize - 1) / tiles.xSize, down = (height + tiles.ySize - 1) / tiles.ySize
            let count = across.multipliedReportingOverflow(by: down)
            guard !count.overflow else { throw fail("tile count overflows") }
            computed = count.partialValue
            chunkBytes = (tiles.xSize * tiles.ySize).multipliedReportingOverflow(by: pixel)
        } else {
            computed = (height + header.compression.linesPerChunk - 1) / header.compression.linesPerChunk
            chunkBytes = (width * min(height, header.compression.linesPerChunk)).multipliedReportingOverflow(by: pixel)
        }
        guard !chunkBytes.overflow, chunkBytes.partialValue <= maxChunkBytes else {
            throw PlateIOError(.tooLarge, file: file, part: String(part),
                               reason: "one chunk would need more than \(maxChunkBytes >> 20) MiB (\(header.dataWindow), \(header.channels.count) channels)")
        }
        return max(computed, declared)
    }
}
