import Foundation
import XCTest
@testable import PlateIO

/// OpenEXR's own fuzzing corpus (../shared/data/exr-damaged): every file is read or rejected with a
/// `PlateIOError` naming it; nothing crashes, hangs or allocates gigabytes.
final class EXRFuzzCorpusTests: XCTestCase {
    func testEveryDamagedFileEndsInAReadOrANamedError() throws {
        let files = try ExrTestData.files(in: ExrTestData.fuzzCorpus)
        XCTAssertGreaterThanOrEqual(files.count, 100)
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
        // Size guards keep every allocation small: the whole run stays far below a gigabyte.
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        XCTAssertLessThan(usage.ru_maxrss, 1 << 20, "peak resident set in KiB")
        print("fuzz corpus: \(read) read, \(rejected) rejected, slowest \(slowest.name) \(String(format: "%.2f", slowest.seconds)) s, peak RSS \(usage.ru_maxrss >> 10) MiB")
    }
}
