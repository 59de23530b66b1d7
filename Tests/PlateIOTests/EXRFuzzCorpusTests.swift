import Foundation
import XCTest
@testable import PlateIO

/// OpenEXR's own fuzzing corpus (../shared/data/exr-damaged): every file is read or rejected with a
/// `PlateIOError` naming it; nothing crashes, hangs or allocates gigabytes.
final class EXRFuzzCorpusTests: XCTestCase {
    func testEveryDamagedFileEndsInAReadOrANamedError() throws {
        let files = try ExrTestData.files(in: ExrTestData.fuzzCorpus)
        XCTAssertGreaterThanOrEqual(files.count, 100)
        // The peak is this test's own: other tests in the same process may have peaked higher.
        let baseline = Self.resetPeakResidentKiB()
        var read = 0, rejected = 0, slowest = (name: "", seconds: 0.0)
        for file in files {
            let start = Date()
            do {
                let headers = try ExrImage.headers(of: file)
                for part in headers.indices {
                    let (image, header) = try ExrImage.read(file, part: .index(part))
                    XCTAssertEqual(image.pixelCount, header.dataWindow.width * header.dataWindow.height)
                }
                try ExrImage.verify(file)
                read += 1
            } catch let error as PlateIOError {
                XCTAssertTrue(error.description.hasPrefix(file.path), "\(error)")
                XCTAssertFalse(error.reason.isEmpty, file.lastPathComponent)
                rejected += 1
            } catch {
                XCTFail("\(file.lastPathComponent): untyped error \(error)")
            }
            let seconds = Date().timeIntervalSince(start)
            if seconds > slowest.seconds { slowest = (file.lastPathComponent, seconds) }
        }
        XCTAssertEqual(read + rejected, files.count)
        XCTAssertGreaterThan(rejected, 100, "most of the corpus is damaged beyond reading")
        XCTAssertLessThan(slowest.seconds, 5, "slowest file: \(slowest.name)")
        // Size guards keep every allocation small: the corpus adds far less than a gigabyte.
        let peak = try XCTUnwrap(Self.statusKiB("VmHWM"))
        XCTAssertLessThan(peak - baseline, 1 << 19, "peak resident set above the start, in KiB")
        print("fuzz corpus: \(read) read, \(rejected) rejected, slowest \(slowest.name) \(String(format: "%.2f", slowest.seconds)) s, "
            + "peak RSS \(peak >> 10) MiB (\((peak - baseline) >> 10) MiB above the start)")
    }

    /// Resets the process's peak resident set to its current one (Linux `clear_refs` 5) and returns
    /// that, in KiB; where the reset is refused the old peak stays, and it is returned.
    static func resetPeakResidentKiB() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .ascii)
        return statusKiB("VmHWM") ?? 0
    }

    /// A "kB" field of /proc/self/status (VmHWM: peak resident set, VmRSS: current).
    static func statusKiB(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }
}
