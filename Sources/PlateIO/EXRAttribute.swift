/// A header attribute as a typed value. Types plateswap does not interpret stay `.opaque` with their
/// exact bytes, so every attribute passes through a read/write cycle unchanged.
public enum ExrAttribute: Equatable, Sendable {
    case int(Int32)
    case float(Float)
    case double(Double)
    case string(String)
    case v2i(SIMD2<Int32>)
    case v2f(SIMD2<Float>)
    case v2d(SIMD2<Double>)
    case v3i(SIMD3<Int32>)
    case v3f(SIMD3<Float>)
    case v3d(SIMD3<Double>)
    case box2i(PixelBox)
    case box2f(min: SIMD2<Float>, max: SIMD2<Float>)
    /// Row-major 3x3 / 4x4 matrices.
    case m33f([Float])
    case m44f([Float])
    case m33d([Double])
    case m44d([Double])
    case chromaticities(ExrChromaticities)
    case compression(ExrCompression)
    case lineOrder(ExrLineOrder)
    case envmap(UInt8)
    case rational(numerator: Int32, denominator: UInt32)
    case timecode(ExrTimeCode)
    case keycode(ExrKeyCode)
    case stringVector([String])
    case floatVector([Float])
    case tiles(ExrTileDescription)
    /// A preview thumbnail: `width * height` RGBA8 pixels.
    case preview(width: Int, height: Int, rgba: [UInt8])
    /// Any other type (and strings that are not UTF-8), kept as the file's bytes.
    case opaque(type: String, bytes: [UInt8])

    /// The EXR type name written in the file (`int`, `v2f`, `chromaticities`, ...).
    public var typeName: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .double: return "double"
        case .string: return "string"
        case .v2i: return "v2i"
        case .v2f: return "v2f"
        case .v2d: return "v2d"
        case .v3i: return "v3i"
        case .v3f: return "v3f"
        case .v3d: return "v3d"
        case .box2i: return "box2i"
        case .box2f: return "box2f"
        case .m33f: return "m33f"
        case .m44f: return "m44f"
        case .m33d: return "m33d"
        case .m44d: return "m44d"
        case .chromaticities: return "chromaticities"
        case .compression: return "compression"
        case .lineOrder: return "lineOrder"
        case .envmap: return "envmap"
        case .rational: return "rational"
        case .timecode: return "timecode"
        case .keycode: return "keycode"
        case .stringVector: return "stringvector"
        case .floatVector: return "floatvector"
        case .tiles: return "tiledesc"
        case .preview: return "preview"
        case .opaque(let type, _): return type
        }
    }
}

extension ExrAttribute {
    struct Malformed: Error {
        let reason: String
    }

    /// Decodes a value from its bytes in the file; throws when the size does not fit the type.
    static func decode(type: String, bytes: UnsafeRawBufferPointer) throws -> ExrAttribute {
        var r = ExrByteReader(bytes)
        func floats(_ n: Int) throws -> [Float] { try (0..<n).map { _ in try r.float() } }
        func doubles(_ n: Int) throws -> [Double] { try (0..<n).map { _ in try r.double() } }
        func expectSize(_ n: Int) throws {
            guard bytes.count == n else { throw Malformed(reason: "\(type) value has \(bytes.count) bytes, expected \(n)") }
        }
        let value: ExrAttribute
        do {
            switch type {
            case "int": try expectSize(4); value = .int(try r.int32())
            case "float": try expectSize(4); value = .float(try r.float())
            case "double": try expectSize(8); value = .double(try r.double())
            case "string":
                let raw = Array(bytes)
                guard let text = String(bytes: raw, encoding: .utf8) else { return .opaque(type: type, bytes: raw) }
                value = .string(text)
            case "v2i": try expectSize(8); value = .v2i(SIMD2(try r.int32(), try r.int32()))
            case "v2f": try expectSize(8); value = .v2f(SIMD2(try r.float(), try r.float()))
            case "v2d": try expectSize(16); value = .v2d(SIMD2(try r.double(), try r.double()))
            case "v3i": try expectSize(12); value = .v3i(SIMD3(try r.int32(), try r.int32(), try r.int32()))
            case "v3f": try expectSize(12); value = .v3f(SIMD3(try r.float(), try r.float(), try r.float()))
            case "v3d": try expectSize(24); value = .v3d(SIMD3(try r.double(), try r.double(), try r.double()))
            case "box2i":
                try expectSize(16)
                let c = try (0..<4).map { _ in Int(try r.int32()) }
                value = .box2i(PixelBox(xMin: c[0], yMin: c[1], xMax: c[2], yMax: c[3]))
            case "box2f":
                try expectSize(16)
                let c = try floats(4)
                value = .box2f(min: SIMD2(c[0], c[1]), max: SIMD2(c[2], c[3]))
            case "m33f": try expectSize(36); value = .m33f(try floats(9))
            case "m44f": try expectSize(64); value = .m44f(try floats(16))
            case "m33d": try expectSize(72); value = .m33d(try doubles(9))
            case "m44d": try expectSize(128); value = .m44d(try doubles(16))
            case "chromaticities":
                try expectSize(32)
                let c = try floats(8)
                value = .chromaticities(ExrChromaticities(red: SIMD2(c[0], c[1]), green: SIMD2(c[2], c[3]),
                                                          blue: SIMD2(c[4], c[5]), white: SIMD2(c[6], c[7])))
            case "compression":
                try expectSize(1)
                let id = try r.uint8()
                guard let c = ExrCompression(rawValue: id) else {
                    let name = ExrCompression.unsupportedName(id: id)
                    throw Malformed(reason: name == "unknown" ? "unknown compression id \(id)" : "compression \(name) (id \(id))")
                }
                value = .compression(c)
            case "lineOrder":
                try expectSize(1)
                guard let order = ExrLineOrder(rawValue: try r.uint8()) else { throw Malformed(reason: "bad lineOrder") }
                value = .lineOrder(order)
            case "envmap": try expectSize(1); value = .envmap(try r.uint8())
            case "rational": try expectSize(8); value = .rational(numerator: try r.int32(), denominator: try r.uint32())
            case "timecode": try expectSize(8); value = .timecode(ExrTimeCode(timeAndFlags: try r.uint32(), userData: try r.uint32()))
            case "keycode":
                try expectSize(28)
                let k = try (0..<7).map { _ in try r.int32() }
                value = .keycode(ExrKeyCode(filmMfcCode: k[0], filmType: k[1], prefix: k[2], count: k[3],
                                            perfOffset: k[4], perfsPerFrame: k[5], perfsPerCount: k[6]))
            case "stringvector":
                var strings: [String] = []
                while r.remaining > 0 {
                    let length = Int(try r.int32())
                    let raw = try r.raw(length)
                    guard let text = String(bytes: raw, encoding: .utf8) else { return .opaque(type: type, bytes: Array(bytes)) }
                    strings.append(text)
                }
                value = .stringVector(strings)
            case "floatvector":
                guard bytes.count % 4 == 0 else { throw Malformed(reason: "floatvector size \(bytes.count) is not a multiple of 4") }
                value = .floatVector(try floats(bytes.count / 4))
            case "tiledesc":
                try expectSize(9)
                let x = Int(try r.uint32()), y = Int(try r.uint32()), mode = try r.uint8()
                guard let level = ExrTileDescription.LevelMode(rawValue: mode & 0xF),
                      let rounding = ExrTileDescription.RoundingMode(rawValue: mode >> 4)
                else { throw Malformed(reason: "bad tile level mode \(mode)") }
                value = .tiles(ExrTileDescription(xSize: x, ySize: y, levelMode: level, roundingMode: rounding))
            case "preview":
                let w = Int(try r.uint32()), h = Int(try r.uint32())
                guard w.multipliedReportingOverflow(by: h * 4).overflow == false, 8 + w * h * 4 == bytes.count else {
                    throw Malformed(reason: "preview of \(w)x\(h) does not fit its \(bytes.count) bytes")
                }
                value = .preview(width: w, height: h, rgba: try r.raw(w * h * 4))
            default:
                return .opaque(type: type, bytes: Array(bytes))
            }
        } catch is ExrByteReader.OutOfBounds {
            throw Malformed(reason: "\(type) value of \(bytes.count) bytes is truncated")
        }
        return value
    }

    /// The value's bytes as written in a file.
    func encoded() -> [UInt8] {
        var w = ExrByteWriter()
        switch self {
        case .int(let v): w.int32(v)
        case .float(let v): w.float(v)
        case .double(let v): w.double(v)
        case .string(let s): w.raw(Array(s.utf8))
        case .v2i(let v): w.int32(v.x); w.int32(v.y)
        case .v2f(let v): w.float(v.x); w.float(v.y)
        case .v2d(let v): w.double(v.x); w.double(v.y)
        case .v3i(let v): w.int32(v.x); w.int32(v.y); w.int32(v.z)
        case .v3f(let v): w.float(v.x); w.float(v.y); w.float(v.z)
        case .v3d(let v): w.double(v.x); w.double(v.y); w.double(v.z)
        case .box2i(let b): for c in b.corners { w.int32(Int32(truncatingIfNeeded: c)) }
        case .box2f(let lo, let hi): w.float(lo.x); w.float(lo.y); w.float(hi.x); w.float(hi.y)
        case .m33f(let m), .m44f(let m), .floatVector(let m): m.forEach { w.float($0) }
        case .m33d(let m), .m44d(let m): m.forEach { w.double($0) }
        case .chromaticities(let c): for p in [c.red, c.green, c.blue, c.white] { w.float(p.x); w.float(p.y) }
        case .compression(let c): w.uint8(c.rawValue)
        case .lineOrder(let o): w.uint8(o.rawValue)
        case .envmap(let e): w.uint8(e)
        case .rational(let n, let d): w.int32(n); w.uint32(d)
        case .timecode(let t): w.uint32(t.timeAndFlags); w.uint32(t.userData)
        case .keycode(let k):
            for v in [k.filmMfcCode, k.filmType, k.prefix, k.count, k.perfOffset, k.perfsPerFrame, k.perfsPerCount] { w.int32(v) }
        case .stringVector(let strings):
            for s in strings { w.int32(Int32(s.utf8.count)); w.raw(Array(s.utf8)) }
        case .tiles(let t):
            w.uint32(UInt32(t.xSize)); w.uint32(UInt32(t.ySize)); w.uint8(t.levelMode.rawValue | t.roundingMode.rawValue << 4)
        case .preview(let width, let height, let rgba): w.uint32(UInt32(width)); w.uint32(UInt32(height)); w.raw(rgba)
        case .opaque(_, let bytes): w.raw(bytes)
        }
        return w.bytes
    }
}
