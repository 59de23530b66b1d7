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

    /// A dead process's PID: a child that has exited and been reaped.
    static func deadPID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func testTemporaryNamesRecordTheirWriter() throws {
        let temp = AtomicFile.temporaryURL(beside: URL(fileURLWithPath: "/x/swap.1001.exr")).lastPathComponent
        XCTAssertTrue(temp.hasPrefix(".swap.1001.exr.tmp-\(getpid())-"), temp)
        XCTAssertEqual(TemporaryOwner(name: temp), TemporaryOwner(name: ".a.tmp-\(getpid())-7@\(TemporaryOwner.host)"))
        XCTAssertEqual(TemporaryOwner(name: ".swap.1001.exr.tmp-4242-17")?.pid, 4242)
        XCTAssertNil(TemporaryOwner(name: ".swap.1001.exr.tmp-4242-17")?.host, "older names have no host")
        XCTAssertEqual(TemporaryOwner(name: ".a.b.tmp-9-1@render-07.farm")?.host, "render-07.farm")
        for name in ["swap.1001.exr.tmp-1-2", ".swap.1001.exr", ".swap.exr.tmp-x-2", ".swap.exr.tmp-1-2@", ".swap.exr.tmp-1", ".tmp-1-2",
                     ".swap.exr.tmp-0-2", ".swap.exr.tmp-1-2-3"] {
            XCTAssertNil(TemporaryOwner(name: name), name)
        }
    }

    /// Dead writers' temporaries go (legacy names too, and another host's after a day untouched);
    /// a live writer's stay, as does anything that is not a temporary.
    func testOnlyStaleTemporariesAreRemoved() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dead = try Self.deadPID(), live = getpid(), host = TemporaryOwner.host
        let gone = [".a.exr.tmp-\(dead)-1", ".b.exr.tmp-\(dead)-2@\(host)", ".c.exr.tmp-\(dead)-3@elsewhere-old"]
        let kept = [".a.exr.tmp-\(live)-4", ".b.exr.tmp-\(live)-5@\(host)", ".c.exr.tmp-\(dead)-6@elsewhere", ".d.exr.tmp-1x-7", "a.exr",
                    ".e.exr.tmp-1-8"]   // PID 1 (init) is alive, whoever owns it
        for name in gone + kept { try Data("x".utf8).write(to: dir.appendingPathComponent(name)) }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86400)],
                                              ofItemAtPath: dir.appendingPathComponent(gone[2]).path)
        AtomicFile.removeTemporaries(beside: dir.appendingPathComponent("a.exr"))
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), Set(gone.dropFirst() + kept))
        let removed = AtomicFile.removeStaleTemporaries(in: [dir, dir.appendingPathComponent("missing")])
        XCTAssertEqual(Set(removed.map { ($0 as NSString).lastPathComponent }), Set(gone.dropFirst()))
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), Set(kept))
    }
}
