import XCTest
@testable import Support

final class SupportTests: XCTestCase {
    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 1000)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// The one edit distance behind "did you mean" for yaml keys and colour-space names.
    func testEditDistance() {
        XCTAssertEqual(editDistance(Array("kitten"), Array("sitting")), 3)
        XCTAssertEqual(editDistance(Array(""), Array("abc")), 3)
        XCTAssertEqual(editDistance(Array("batch_sise"), Array("batch_size")), 1)
        XCTAssertEqual(editDistance(Array("acescg"), Array("acescg")), 0)
    }

    func testParallelForVisitsEveryIndexOnce() {
        let count = 1000
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { buffer in
            parallelFor(count, threads: 4) { i in buffer[i] += 1 }
        }
        XCTAssertEqual(hits, [Int](repeating: 1, count: count))
    }

    func testAtomicWriteLeavesNoTemporary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())")
        let target = dir.appendingPathComponent("out.txt")
        try AtomicFile.write(Data("one".utf8), to: target)
        try AtomicFile.write(Data("two".utf8), to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.txt"])
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.write(to: target) { temp in
            try Data("partial".utf8).write(to: temp); throw Boom()
        })
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.txt"])
    }
}
