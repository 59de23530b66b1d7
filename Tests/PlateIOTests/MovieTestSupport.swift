import Foundation
import XCTest
@testable import PlateIO

/// Shared test data (`<repo>/../shared`, or PLATESWAP_SHARED) and the ffmpeg CLI as the independent reference.
enum MovieTestSupport {
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
    }()

    static func data(_ path: String) throws -> URL {
        let url = shared.appendingPathComponent("data").appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("shared data missing: \(url.path)") }
        return url
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs the ffmpeg CLI and returns its stdout.
    static func ffmpeg(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-v", "error"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "ffmpeg", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: String(decoding: message, as: UTF8.self)])
        }
        return data
    }

    /// The ffmpeg CLI's decode of one frame with the same conversion as MovieReader (BT.709 matrix,
    /// limited range in, full range out, bicubic chroma, accurate rounding) as planar float.
    static func referenceFrame(_ url: URL, frame: Int, width: Int, height: Int) throws -> [[Float]] {
        let filter = "select=eq(n\\,\(frame)),scale=in_color_matrix=bt709:in_range=tv:out_range=pc:" +
            "flags=bicubic+accurate_rnd+full_chroma_int+full_chroma_inp,format=gbrpf32le"
        let data = try ffmpeg(["-i", url.path, "-vf", filter, "-frames:v", "1", "-f", "rawvideo", "-"])
        return gbrpf32(data, width: width, height: height)
    }

    /// Planar little-endian float32 G, B, R planes (FFmpeg's gbrpf32le) as [R, G, B].
    static func gbrpf32(_ data: Data, width: Int, height: Int) -> [[Float]] {
        let n = width * height
        precondition(data.count == 3 * n * 4, "expected \(3 * n * 4) bytes, got \(data.count)")
        let floats: [Float] = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let g = Array(floats[0..<n]), b = Array(floats[n..<2 * n]), r = Array(floats[2 * n..<3 * n])
        return [r, g, b]
    }

    static func maxAndMeanDifference(_ a: [[Float]], _ b: [[Float]]) -> (max: Float, mean: Double) {
        var worst: Float = 0, total = 0.0, count = 0
        for (pa, pb) in zip(a, b) {
            for (x, y) in zip(pa, pb) {
                worst = max(worst, abs(x - y))
                total += Double(abs(x - y))
                count += 1
            }
        }
        return (worst, total / Double(max(count, 1)))
    }
}
