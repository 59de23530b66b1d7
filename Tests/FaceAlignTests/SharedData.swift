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

import Imaging

extension SharedData {
    /// A golden 8-bit RGB PNG as an ImageBuffer in [0, 1], decoded with the ffmpeg CLI.
    static func goldenImage(_ stem: String) throws -> ImageBuffer {
        let json = try goldenJSON(stem)
        let w = try XCTUnwrap(json["width"] as? Int), h = try XCTUnwrap(json["height"] as? Int)
        let bytes = try ffmpegRGB24(url("golden/images/\(stem).png"))
        XCTAssertEqual(bytes.count, w * h * 3)
        var planes = [[Float]](repeating: [Float](repeating: 0, count: w * h), count: 3)
        for i in 0..<(w * h) { for c in 0..<3 { planes[c][i] = Float(bytes[3 * i + c]) / 255 } }
        return ImageBuffer(width: w, height: h, channels: ["R", "G", "B"], planes: planes)
    }

    static func ffmpegRGB24(_ file: URL) throws -> [UInt8] { try ffmpegRGB24(arguments: ["-i", file.path]) }

    /// The first frame ffmpeg makes from `arguments` (inputs and filters) as rgb24 bytes.
    static func ffmpegRGB24(arguments: [String]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-v", "error"] + arguments + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "ffmpeg failed: \(arguments)")
        return [UInt8](data)
    }
}
