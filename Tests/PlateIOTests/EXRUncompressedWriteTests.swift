import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// NONE files are packed by us and written through OpenEXR's C core; every other compression goes
/// through Imf::OutputFile. Both writers must produce the same file, apart from the optional
/// `type: scanlineimage` attribute the core adds.
final class EXRUncompressedWriteTests: XCTestCase {
    func testCoreWriterMatchesOutputFileByteForByte() throws {
        let folder = try ExrTestData.temporaryFolder("uncompressed")
        defer { try? FileManager.default.removeItem(at: folder) }
        var image = EXRRoundTripTests.image()
        image.addChannel("id", plane: (0..<image.pixelCount).map { Float(($0 * 7919) % 70_001) })
        let header = ExrHeader(dataWindow: EXRRoundTripTests.dataWindow, displayWindow: EXRRoundTripTests.displayWindow,
                               attributes: EXRRoundTripTests.attributes)
        let types: [String: ExrPixelType] = ["id": .uint, "G": .float]
        let lineBytes = image.width * (2 * 4 + 4 + 4)   // R, B, A, swap.mask half; G float; id uint
        let chunkBytes = image.height * (8 + lineBytes)  // y, size, samples per scan line

        let reference = folder.appendingPathComponent("outputfile.exr")
        try ExrWriter.write(image, header: header, to: reference, compression: ExrCompression.none, pixelType: .half,
                            channelTypes: types, dwaCompressionLevel: nil, threads: 1, throughOutputFile: true)
        let referenceBytes = try Data(contentsOf: reference)
        let referenceListing = try ExrTestData.run("exrheader", [reference.path])
        XCTAssertEqual(referenceListing.status, 0)

        for threads in [1, 2, 3] {
            let url = folder.appendingPathComponent("core_\(threads).exr")
            try ExrWriter.write(image, header: header, to: url, compression: ExrCompression.none, pixelType: .half,
                                channelTypes: types, threads: threads)
            let bytes = try Data(contentsOf: url)
            // The scan-line chunks close both files: identical bytes.
            XCTAssertGreaterThan(bytes.count, chunkBytes)
            XCTAssertEqual(bytes.suffix(chunkBytes), referenceBytes.suffix(chunkBytes), "\(threads) threads: pixel chunks")
            // The headers list the same attributes, values and channels (exrheader, OpenEXR's own tool).
            let listing = try ExrTestData.run("exrheader", [url.path])
            XCTAssertEqual(listing.status, 0)
            XCTAssertEqual(headerLines(listing.out), headerLines(referenceListing.out), "\(threads) threads")
            XCTAssertTrue(listing.out.contains("testdata:custom (type myVendorType)"), listing.out)
            // Our reader agrees, attribute for attribute.
            let (back, readHeader) = try ExrImage.read(url)
            XCTAssertEqual(readHeader.attributes, try ExrImage.read(reference).1.attributes)
            XCTAssertEqual(readHeader.compression, ExrCompression.none)
            XCTAssertEqual(back[channel: "id"], image[channel: "id"])
            XCTAssertEqual(back[channel: "G"], image[channel: "G"])
            XCTAssertEqual(back[channel: "R"], image[channel: "R"].map { Float(Float16($0)) })
        }
    }

    /// exrheader's listing without the file name, and without `type`, which exrheader 3.1 shows
    /// for every file, whether the file stores it or not.
    private func headerLines(_ listing: String) -> [Substring] {
        listing.split(separator: "\n").filter { !$0.hasPrefix("file ") && !$0.hasPrefix("type (type string)") }
    }

    func testFailedUncompressedWriteLeavesNothing() throws {
        let folder = try ExrTestData.temporaryFolder("uncompressed-fail")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = EXRRoundTripTests.image()
        var header = ExrHeader(dataWindow: EXRRoundTripTests.dataWindow)
        header.attributes["pixelAspectRatio"] = .string("not a float")
        let bad = folder.appendingPathComponent("bad.exr")
        XCTAssertThrowsError(try ExrWriter.write(image, header: header, to: bad, compression: ExrCompression.none)) { error in
            XCTAssertTrue("\(error)".hasPrefix(bad.path), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }
}
