import Foundation
import Imaging

/// `plateswap info` for EXR files: the JSON document (schema in README.md, "plateswap info") and
/// its plain-text rendering.
public enum InfoExr {
    /// Per-channel pixel statistics, like `oiiotool --stats`: min, max and mean over finite values.
    public struct ChannelStats: Equatable, Sendable {
        public var min: Float?
        public var max: Float?
        public var mean: Double?
        public var nan: Int
        public var inf: Int

        public init(_ values: [Float]) {
            var lo = Float.infinity, hi = -Float.infinity, sum = 0.0, finite = 0, nan = 0, inf = 0
            for v in values {
                if v.isNaN { nan += 1 } else if v.isInfinite { inf += 1 } else {
                    lo = Swift.min(lo, v)
                    hi = Swift.max(hi, v)
                    sum += Double(v)
                    finite += 1
                }
            }
            self.min = finite > 0 ? lo : nil
            self.max = finite > 0 ? hi : nil
            self.mean = finite > 0 ? sum / Double(finite) : nil
            self.nan = nan
            self.inf = inf
        }
    }

    /// Reads the headers, checks every chunk (so truncated or damaged files fail here, not later)
    /// and, with `stats`, decodes every pixel. Throws `PlateIOError` naming the file.
    public static func report(for url: URL, stats: Bool, threads: Int = 1) throws -> InfoJSON {
        let headers = try ExrImage.headers(of: url)
        try ExrImage.verify(url, threads: threads)
        var parts: [InfoJSON] = []
        for (index, header) in headers.enumerated() {
            var pixels: ImageBuffer?
            if stats {
                pixels = try ExrImage.read(url, part: .index(index), options: ExrReadOptions(threads: threads)).image
            }
            parts.append(part(index, header, pixels: pixels))
        }
        return .object([("file", .string(url.path)), ("format", .string("exr")), ("parts", .array(parts))])
    }

    static func part(_ index: Int, _ header: ExrHeader, pixels: ImageBuffer?) -> InfoJSON {
        var channels: [InfoJSON] = []
        for channel in header.channels {
            var fields: [(String, InfoJSON)] = [
                ("name", .string(channel.name)), ("type", .string(channel.pixelType.name)),
                ("sampling", .array([.int(channel.xSampling), .int(channel.ySampling)])),
            ]
            if let pixels, pixels.channelIndex(channel.name) != nil { fields += statsFields(ChannelStats(pixels[channel: channel.name])) }
            channels.append(.object(fields))
        }
        var fields: [(String, InfoJSON)] = [
            ("index", .int(index)),
            ("name", header.partName.map { .string($0) } ?? .null),
            ("type", .string(header.partType.rawValue)),
            ("dataWindow", .array(header.dataWindow.corners.map { .int($0) })),
            ("displayWindow", .array(header.displayWindow.corners.map { .int($0) })),
            ("channels", .array(channels)),
            ("compression", .string(header.compression.name)),
            ("lineOrder", .string(lineOrderName(header.lineOrder))),
            ("tiled", .bool(header.isTiled)),
            ("tiles", header.tiles.map { attributeValue(.tiles($0)) } ?? .null),
            ("attributes", .object(header.attributes.keys.sorted().map { name in
                let value = header.attributes[name]!
                return (name, .object([("type", .string(value.typeName)), ("value", attributeValue(value))]))
            })),
        ]
        // Luminance/chroma parts decode to R, G, B: their statistics have no file channel to sit on.
        if let pixels {
            let converted = pixels.channelNames.filter { header.channel(named: $0) == nil }
            if !converted.isEmpty {
                fields.append(("convertedChannels", .array(converted.map { name in
                    .object([("name", .string(name))] + statsFields(ChannelStats(pixels[channel: name])))
                })))
            }
        }
        return .object(fields)
    }

    static func statsFields(_ s: ChannelStats) -> [(String, InfoJSON)] {
        [("min", s.min.map { .float($0) } ?? .null), ("max", s.max.map { .float($0) } ?? .null),
         ("mean", s.mean.map { .double($0) } ?? .null), ("nan", .int(s.nan)), ("inf", .int(s.inf))]
    }

    static func lineOrderName(_ order: ExrLineOrder) -> String {
        switch order {
        case .increasingY: return "increasingY"
        case .decreasingY: return "decreasingY"
        case .randomY: return "randomY"
        }
    }

    /// The JSON form of an attribute value (documented in README.md).
    public static func attributeValue(_ value: ExrAttribute) -> InfoJSON {
        func floats(_ v: [Float]) -> InfoJSON { .array(v.map { .float($0) }) }
        func doubles(_ v: [Double]) -> InfoJSON { .array(v.map { .double($0) }) }
        func ints(_ v: [Int32]) -> InfoJSON { .array(v.map { .int(Int($0)) }) }
        switch value {
        case .int(let v): return .int(Int(v))
        case .float(let v): return .float(v)
        case .double(let v): return .double(v)
        case .string(let s): return .string(s)
        case .v2i(let v): return ints([v.x, v.y])
        case .v2f(let v): return floats([v.x, v.y])
        case .v2d(let v): return doubles([v.x, v.y])
        case .v3i(let v): return ints([v.x, v.y, v.z])
        case .v3f(let v): return floats([v.x, v.y, v.z])
        case .v3d(let v): return doubles([v.x, v.y, v.z])
        case .box2i(let b): return .array(b.corners.map { .int($0) })
        case .box2f(let lo, let hi): return floats([lo.x, lo.y, hi.x, hi.y])
        case .m33f(let m), .m44f(let m), .floatVector(let m): return floats(m)
        case .m33d(let m), .m44d(let m): return doubles(m)
        case .chromaticities(let c):
            return .object([("red", floats([c.red.x, c.red.y])), ("green", floats([c.green.x, c.green.y])),
                            ("blue", floats([c.blue.x, c.blue.y])), ("white", floats([c.white.x, c.white.y]))])
        case .compression(let c): return .string(c.name)
        case .lineOrder(let o): return .string(lineOrderName(o))
        case .envmap(let e): return .string(e == 0 ? "latlong" : e == 1 ? "cube" : "\(e)")
        case .rational(let n, let d): return .array([.int(Int(n)), .int(Int(d))])
        case .timecode(let t):
            return .object([("timecode", .string(t.description)), ("timeAndFlags", .int(Int(t.timeAndFlags))),
                            ("userData", .int(Int(t.userData)))])
        case .keycode(let k):
            return .object([("filmMfcCode", .int(Int(k.filmMfcCode))), ("filmType", .int(Int(k.filmType))),
                            ("prefix", .int(Int(k.prefix))), ("count", .int(Int(k.count))),
                            ("perfOffset", .int(Int(k.perfOffset))), ("perfsPerFrame", .int(Int(k.perfsPerFrame))),
                            ("perfsPerCount", .int(Int(k.perfsPerCount)))])
        case .stringVector(let v): return .array(v.map { .string($0) })
        case .tiles(let t):
            let levels = ["oneLevel", "mipmap", "ripmap"][Int(t.levelMode.rawValue)]
            return .object([("xSize", .int(t.xSize)), ("ySize", .int(t.ySize)), ("levelMode", .string(levels)),
                            ("roundingMode", .string(t.roundingMode == .down ? "down" : "up"))])
        case .preview(let w, let h, _): return .object([("width", .int(w)), ("height", .int(h))])
        case .opaque(_, let bytes): return .object([("size", .int(bytes.count))])
        }
    }

    /// Human-readable rendering of `report`, in the spirit of `exrheader`.
    public static func text(_ report: InfoJSON) -> String {
        var lines: [String] = []
        guard case .array(let parts)? = report["parts"], case .string(let file)? = report["file"] else { return "" }
        lines.append("\(file): OpenEXR, \(parts.count) part\(parts.count == 1 ? "" : "s")")
        for part in parts {
            let name = part["name"].flatMap { if case .string(let s) = $0 { return " \"\(s)\"" } else { return nil } } ?? ""
            lines.append("part \(plain(part["index"]))\(name): \(plain(part["type"])), compression \(plain(part["compression"])), \(plain(part["lineOrder"]))")
            lines.append("  dataWindow \(window(part["dataWindow"]))")
            lines.append("  displayWindow \(window(part["displayWindow"]))")
            if let tiles = part["tiles"], tiles != .null { lines.append("  tiles \(plain(tiles))") }
            lines.append("  channels:")
            var channelEntries: [InfoJSON] = []
            if case .array(let c)? = part["channels"] { channelEntries += c }
            if case .array(let c)? = part["convertedChannels"] { channelEntries += c }
            for channel in channelEntries {
                var line = "    \(plain(channel["name"]))"
                if let type = channel["type"] { line += " \(plain(type))" }
                if case .array(let s)? = channel["sampling"], s != [.int(1), .int(1)] { line += " sampling \(plain(.array(s)))" }
                if let min = channel["min"] {
                    line += "  min \(plain(min)) max \(plain(channel["max"])) mean \(plain(channel["mean"])) nan \(plain(channel["nan"])) inf \(plain(channel["inf"]))"
                }
                lines.append(line)
            }
            if case .object(let attributes)? = part["attributes"], !attributes.isEmpty {
                lines.append("  attributes:")
                for (name, attribute) in attributes {
                    lines.append("    \(name) (\(plain(attribute["type"]))): \(attribute["value"].map { $0.serialized() } ?? "")")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func plain(_ value: InfoJSON?) -> String {
        guard let value else { return "-" }
        if case .string(let s) = value { return s }
        return value.serialized()
    }

    private static func window(_ value: InfoJSON?) -> String {
        guard case .array(let c)? = value, c.count == 4, case .int(let x0) = c[0], case .int(let y0) = c[1],
              case .int(let x1) = c[2], case .int(let y1) = c[3] else { return "-" }
        return PixelBox(xMin: x0, yMin: y0, xMax: x1, yMax: y1).description
    }
}
