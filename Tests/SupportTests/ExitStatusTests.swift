import XCTest
import Support

/// Issue 17: one protocol gives every error its exit status; errors without one exit 1.
final class ExitStatusTests: XCTestCase {
    struct BadOption: ExitStatusError {
        var description: String { "--size: too small" }
        var exitStatus: Int32 { ExitStatus.badInput }
    }
    struct Plain: Error {}

    func testAnErrorsOwnStatusOrFailed() {
        XCTAssertEqual(ExitStatus.of(BadOption()), 2)
        XCTAssertEqual(ExitStatus.of(Plain()), 1)
        XCTAssertEqual(ExitStatus.of(CocoaError(.fileNoSuchFile)), 1)
    }

    func testPhaseErrorGivesEveryErrorOfItsBodyOneStatusAndKeepsTheMessage() throws {
        XCTAssertThrowsError(try PhaseError.withStatus(ExitStatus.badInput) { throw Plain() }) { error in
            XCTAssertEqual(ExitStatus.of(error), 2)
        }
        XCTAssertThrowsError(try PhaseError.withStatus(ExitStatus.failed) { throw BadOption() }) { error in
            XCTAssertEqual(ExitStatus.of(error), 1, "the phase decides, not the type")
            XCTAssertEqual("\(error)", "--size: too small")
        }
        XCTAssertEqual(try PhaseError.withStatus(ExitStatus.badInput) { 7 }, 7)
    }
}
