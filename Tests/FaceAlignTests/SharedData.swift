import Foundation
import XCTest

/// ../shared beside the checkout (or PLATESWAP_SHARED).
enum SharedData {
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared").standardizedFileURL
    }()

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    static var heavy: Bool { ProcessInfo.processInfo.environment["PLATESWAP_HEAVY"] == "1" }

    /// A golden per-image JSON (`golden/<stem>.json`) as a dictionary.
    static func goldenJSON(_ stem: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url("golden/\(stem).json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// `mediapipe_facemesh[index]` of a golden image as 468 points.
    static func goldenMesh(_ stem: String, index: Int = 0) throws -> [SIMD3<Float>] {
        let json = try goldenJSON(stem)
        let meshes = try XCTUnwrap(json["mediapipe_facemesh"] as? [[[Double]]])
        return meshes[index].map { SIMD3(Float($0[0]), Float($0[1]), Float($0[2])) }
    }
}
