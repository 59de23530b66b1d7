import Foundation

/// Where the shared test data lives: `PLATESWAP_SHARED`, else `../shared` beside the checkout.
enum CodecTestData {
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared").standardizedFileURL
    }()

    static var heavy: Bool { ProcessInfo.processInfo.environment["PLATESWAP_HEAVY"] == "1" }
}
