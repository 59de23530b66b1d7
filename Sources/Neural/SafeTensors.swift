import Foundation
import Support

/// A safetensors file that cannot be read; every case names the file (and the tensor where one is involved).
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case truncated(file: String, reason: String)
    case badHeader(file: String, reason: String)
    case badTensor(file: String, tensor: String, reason: String)
    case missingTensor(file: String, tensor: String)
    case wrongDType(file: String, tensor: String, dtype: String, wanted: String)
    case wrongShape(file: String, tensor: String, shape: [Int], wanted: [Int])

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read safetensors file: \(reason)"
        case let .truncated(file, reason): return "\(file): truncated safetensors file: \(reason)"
        case let .badHeader(file, reason): return "\(file): bad safetensors header: \(reason)"
        case let .badTensor(file, tensor, reason): return "\(file): tensor '\(tensor)': \(reason)"
        case let .missingTensor(file, tensor): return "\(file): no tensor named '\(tensor)'"
        case let .wrongDType(file, tensor, dtype, wanted): return "\(file): tensor '\(tensor)' has dtype \(dtype), expected \(wanted)"
        case let .wrongShape(file, tensor, shape, wanted): return "\(file): tensor '\(tensor)' has shape \(shape), expected \(wanted)"
        }
    }
}

/// Element types this reader understands (floats become Float32; I32 is read as Int32).
public enum SafeTensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", i32 = "I32"
    var byteSize: Int { switch self { case .f32, .i32: 4; case .f16, .bf16: 2 } }
}

/// A safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header with
/// `dtype`, `shape` and `data_offsets` per tensor (plus optional `__metadata__`), then the data.
public struct SafeTensorsFile {
    public struct Entry: Sendable {
        public let name: String
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        let range: Range<Int>  // byte range within the data section
    }

    public let url: URL
    public let metadata: [String: String]
    public let entries: [String: Entry]
    private let bytes: Data
    private let dataStart: Int

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    public init(url: URL) throws {
        self.url = url
        let file = url.path
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafeTensorsError.unreadable(file: file, reason: error.localizedDescription)
        }
        guard bytes.count >= 8 else {
            throw SafeTensorsError.truncated(file: file, reason: "\(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError.truncated(file: file, reason: "header length \(headerLength) exceeds the \(bytes.count - 8) bytes after it")
        }
        dataStart = 8 + Int(headerLength)
        let dataLength = bytes.count - dataStart
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<dataStart))
        } catch {
            throw SafeTensorsError.badHeader(file: file, reason: "header is not valid JSON")
        }
        guard let header = json as? [String: Any] else {
            throw SafeTensorsError.badHeader(file: file, reason: "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let dict = value as? [String: Any] else {
                    throw SafeTensorsError.badHeader(file: file, reason: "__metadata__ is not an object")
                }
                for (k, v) in dict { metadata[k] = (v as? String) ?? "\(v)" }
                continue
            }
            entries[name] = try SafeTensorsFile.parseEntry(name: name, value: value, dataLength: dataLength, file: file)
        }
        self.metadata = metadata
        self.entries = entries
    }

    private static func parseEntry(name: String, value: Any, dataLength: Int, file: String) throws -> Entry {
        func bad(_ reason: String) -> SafeTensorsError { .badTensor(file: file, tensor: name, reason: reason) }
        guard let dict = value as? [String: Any] else { throw bad("header entry is not an object") }
        guard let dtypeName = dict["dtype"] as? String else { throw bad("missing dtype") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw bad("unsupported dtype \(dtypeName) (F32, F16, BF16, I32 are read)")
        }
        guard let shapeValues = dict["shape"] as? [Any], let shape = integers(shapeValues),
              shape.allSatisfy({ $0 >= 0 && $0 < (1 << 40) }) else { throw bad("shape is not a list of non-negative integers") }
        guard let offsetValues = dict["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
            throw bad("data_offsets is not a pair of integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= dataLength else {
            throw bad("data_offsets [\(begin), \(end)] out of range of the \(dataLength) data bytes")
        }
        var elements = 1
        for d in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw bad("shape \(shape) is too large") }
            elements = product
        }
        guard elements.multipliedReportingOverflow(by: dtype.byteSize).partialValue == end - begin,
              !elements.multipliedReportingOverflow(by: dtype.byteSize).overflow else {
            throw bad("shape \(shape) of \(dtypeName) needs \(elements * dtype.byteSize) bytes but data_offsets span \(end - begin)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, range: begin..<end)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            guard d == d.rounded() else { return nil }
            guard d >= -1, d < 9.0e15 else { return nil }
            out.append(n.intValue)
        }
        return out
    }

    public func entry(_ name: String) throws -> Entry {
        guard let e = entries[name] else { throw SafeTensorsError.missingTensor(file: url.path, tensor: name) }
        return e
    }

    /// A floating-point tensor converted to Float32.
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        if e.dtype == .i32 { throw SafeTensorsError.wrongDType(file: url.path, tensor: name, dtype: "I32", wanted: "F32, F16 or BF16") }
        let count = Tensor.elementCount(e.shape)
        var out = [Float](repeating: 0, count: count)
        let start = dataStart + e.range.lowerBound
        bytes.withUnsafeBytes { raw in
            let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + e.range.count)])
            out.withUnsafeMutableBufferPointer { dst in
                switch e.dtype {
                case .f32:
                    for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                case .f16:
                    for i in 0..<count { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
                case .bf16:
                    for i in 0..<count { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
                case .i32:
                    break
                }
            }
        }
        return Tensor(shape: e.shape, data: out)
    }

    /// A tensor that must have the given shape.
    public func tensor(_ name: String, shape wanted: [Int]) throws -> Tensor {
        let t = try tensor(name)
        guard t.shape == wanted else { throw SafeTensorsError.wrongShape(file: url.path, tensor: name, shape: t.shape, wanted: wanted) }
        return t
    }

    /// An I32 tensor's values and shape.
    public func int32s(_ name: String) throws -> (shape: [Int], values: [Int32]) {
        let e = try entry(name)
        guard e.dtype == .i32 else { throw SafeTensorsError.wrongDType(file: url.path, tensor: name, dtype: e.dtype.rawValue, wanted: "I32") }
        let count = Tensor.elementCount(e.shape)
        let start = dataStart + e.range.lowerBound
        let values: [Int32] = bytes.withUnsafeBytes { raw in
            (0..<count).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: Int32.self)) }
        }
        return (e.shape, values)
    }

    /// All floating-point tensors (I32 ones are skipped).
    public func allTensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, e) in entries where e.dtype != .i32 { out[name] = try tensor(name) }
        return out
    }

    /// Writes F32 tensors (names sorted) atomically: temporary file, then rename.
    public static func write(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
        let names = tensors.keys.sorted()
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let size = t.count * 4
            fields.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }  // pad so the data is 8-byte aligned
        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for name in names {
            // Float32 is stored little-endian, as on every platform we build for.
            tensors[name]!.data.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        try AtomicFile.write(out, to: url)
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
