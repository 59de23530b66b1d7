import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// Uncompressed scan-line parts are read from their raw chunks (read_uncompressed.cpp), every other
/// part through Imf's frame buffers. Files that oiiotool re-saved without compression must read
/// exactly like their compressed originals, and damaged ones must fail naming the file.
final class EXRUncompressedReadTests: XCTestCase {
    func testUncompressedFilesReadLikeTheirCompressedOriginals() throws {
        let folder = try ExrTestData.temporaryFolder("uncompressed-read")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(file: String, options: [String])] = [
            ("Cannon_mixed_half_float_uint.exr", ["-d", "R=half", "-d", "G=half", "-d", "B=half", "-d", "Z=float", "-d", "objectId=uint"]),
            ("Cannon_overscan_negorigin.exr", []),
            ("Beachball_multipart.0001.exr", ["-a"]),
            ("Cannon_zip_decreasingY.exr", ["--attrib", "openexr:lineOrder", "decreasingY"]),
            ("TestImages_AllHalfValues.exr", []),
        ]
        for (name, options) in cases {
            let original = ExrTestData.conformance.appendingPathComponent(name)
            let converted = folder.appendingPathComponent("none_" + name)
            let result = try ExrTestData.run("oiiotool", [original.path] + options + ["--compression", "none", "-o", converted.path])
            XCTAssertEqual(result.status, 0, result.err)
            let originalHeaders = try ExrImage.headers(of: original), convertedHeaders = try ExrImage.headers(of: converted)
            XCTAssertEqual(convertedHeaders.count, originalHeaders.count, name)
            for part in convertedHeaders.indices {
                let label = "\(name) part \(part)"
                XCTAssertEqual(convertedHeaders[part].compression, ExrCompression.none, label)
                XCTAssertNotEqual(originalHeaders[part].compression, ExrCompression.none, label)
                XCTAssertEqual(convertedHeaders[part].channels.map(\.pixelType), originalHeaders[part].channels.map(\.pixelType), label)
                let (expected, expectedHeader) = try ExrImage.read(original, part: .index(part))
                let (image, header) = try ExrImage.read(converted, part: .index(part))
                XCTAssertEqual(header.dataWindow, expectedHeader.dataWindow, label)
                XCTAssertEqual(image.channelNames, expected.channelNames, label)
                for channel in expected.channelNames {
                    assertIdenticalPlanes(image[channel: channel], expected[channel: channel], "\(label) \(channel)")
                }
            }
        }
    }

    func testDamagedUncompressedFilesFailNamingTheFile() throws {
        let folder = try ExrTestData.temporaryFolder("uncompressed-damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let width = 64, height = 40
        var image = ImageBuffer(width: width, height: height, channels: ["R", "G", "B", "id"])
        for i in 0..<image.pixelCount {
            image.planes[0][i] = Float(i % width) / Float(width)
            image.planes[1][i] = Float(i / width) / Float(height)
            image.planes[2][i] = 0.25
            image.planes[3][i] = Float(i)
        }
        let intact = folder.appendingPathComponent("intact.exr")
        try ExrWriter.write(image, to: intact, compression: ExrCompression.none, channelTypes: ["id": .uint])
        let bytes = [UInt8](try Data(contentsOf: intact))
        // Layout: header, offset table (8 bytes per scan line), then per scan line y, size, samples.
        let lineBytes = width * (3 * 2 + 4), chunkBytes = 8 + lineBytes
        let table = bytes.count - height * (8 + chunkBytes)
        let firstChunk = table + 8 * height
        XCTAssertEqual(bytes[table..<(table + 8)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }, UInt64(firstChunk))

        func variant(_ name: String, _ change: (inout [UInt8]) -> Void) throws -> URL {
            var damaged = bytes
            change(&damaged)
            let url = folder.appendingPathComponent(name + ".exr")
            try Data(damaged).write(to: url)
            return url
        }
        func setInt32(_ value: Int32, at offset: Int, in data: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { data.replaceSubrange(offset..<(offset + 4), with: $0) }
        }
        let rejected = [
            try variant("truncated_half") { $0.removeLast($0.count / 2) },
            try variant("truncated_lastbyte") { $0.removeLast() },
            try variant("wrong_chunk_y") { setInt32(12345, at: firstChunk + 5 * chunkBytes, in: &$0) },
            try variant("huge_chunk_size") { setInt32(Int32.max, at: firstChunk + 7 * chunkBytes + 4, in: &$0) },
            try variant("short_chunk_size") { setInt32(Int32(lineBytes - 2), at: firstChunk + 3 * chunkBytes + 4, in: &$0) },
            try variant("negative_chunk_size") { setInt32(-8, at: firstChunk + 4, in: &$0) },
        ]
        for url in rejected {
            XCTAssertThrowsError(try ExrImage.read(url), url.lastPathComponent) { error in
                XCTAssertTrue(error is PlateIOError, "\(error)")
                XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            }
        }
        // A garbled offset table is rebuilt by OpenEXR from the chunks, or the file is rejected.
        let garbled = try variant("garbled_offsets") { $0.replaceSubrange(table..<(table + 8 * height), with: repeatElement(0xA5, count: 8 * height)) }
        do {
            let (back, _) = try ExrImage.read(garbled)
            XCTAssertEqual(back[channel: "id"], image[channel: "id"])
            XCTAssertEqual(back[channel: "G"], image[channel: "G"].map { Float(Float16($0)) })
        } catch {
            XCTAssertTrue("\(error)".contains(garbled.path), "\(error)")
        }
        let (back, _) = try ExrImage.read(intact)
        XCTAssertEqual(back[channel: "id"], image[channel: "id"])
    }
}
