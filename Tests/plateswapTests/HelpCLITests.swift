import Foundation
import XCTest

/// `--help` prints the command's usage on stdout and exits 0 (it once left through the error
/// catch as an internal error, exit 1).
final class HelpCLITests: XCTestCase {
    func testHelpPrintsUsageAndExitsZero() throws {
        for arguments in [["--help"], ["run", "--help"], ["train", "--help"], ["help", "preview"]] {
            let help = try CLI.run(arguments)
            XCTAssertEqual(help.status, 0, "\(arguments): \(help.err)")
            XCTAssertTrue(help.out.contains("USAGE: plateswap"), "\(arguments): \(help.out)")
            XCTAssertEqual(help.err, "", "\(arguments)")
        }
    }
}
