import Foundation

/// Bounds-checked little-endian reading over a file's bytes (EXR headers and attribute values).
/// Every read past the end throws instead of trapping: headers come from untrusted files.
struct ExrByteReader {
    struct OutOfBounds: Error {}

    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func skip(_ count: Int) throws {
        guard count >= 0, count <= remaining else { throw OutOfBounds() }
        offset += count
    }

    mutating func uint8() throws -> UInt8 {
        guard remaining >= 1 else { throw OutOfBounds() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint32() throws -> UInt32 {
        guard remaining >= 4 else { throw OutOfBounds() }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func uint64() throws -> UInt64 {
        guard remaining >= 8 else { throw OutOfBounds() }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func int32() throws -> Int32 { Int32(bitPattern: try uint32()) }
    mutating func float() throws -> Float { Float(bitPattern: try uint32()) }
    mutating func double() throws -> Double { Double(bitPattern: try uint64()) }

    mutating func raw(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= remaining else { throw OutOfBounds() }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// A NUL-terminated string of at most `maxLength` bytes (the NUL is consumed).
    mutating func cString(maxLength: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        while true {
            let byte = try uint8()
            if byte == 0 { return result }
            result.append(byte)
            if result.count > maxLength { throw OutOfBounds() }
        }
    }
}

/// Little-endian writing of attribute values, the inverse of `ExrByteReader`.
struct ExrByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func uint8(_ v: UInt8) { bytes.append(v) }
    mutating func uint32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func uint64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int32(_ v: Int32) { uint32(UInt32(bitPattern: v)) }
    mutating func float(_ v: Float) { uint32(v.bitPattern) }
    mutating func double(_ v: Double) { uint64(v.bitPattern) }
    mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
}
