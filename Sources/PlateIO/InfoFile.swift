import Foundation

/// `plateswap info` for any plate file: EXR by its magic number (InfoExr), anything else through
/// FFmpeg's probe (`MovieInfo`): codec, size, frame count, rate.
public enum InfoFile {
    public static func isExr(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: 4)) ?? Data()
        return ExrHeaderParser.hasMagic(Array(prefix))
    }

    /// The JSON report (schema in README.md). Throws an error whose description names the file.
    public static func report(for url: URL, stats: Bool, threads: Int = 1) throws -> InfoJSON {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PlateIOError(.notFound, file: url.path, reason: "no such file")
        }
        if isExr(url) || url.pathExtension.lowercased() == "exr" {
            return try InfoExr.report(for: url, stats: stats, threads: threads)
        }
        let movie = try MovieInfo.probe(url, countFrames: true)
        return .object([
            ("file", .string(url.path)), ("format", .string("movie")), ("container", .string(movie.container)),
            ("codec", .string(movie.codec)), ("profile", movie.profile.map { .string($0) } ?? .null),
            ("width", .int(movie.width)), ("height", .int(movie.height)), ("pixelFormat", .string(movie.pixelFormat)),
            ("frameCount", .int(movie.frameCount)), ("frameRate", .double(movie.frameRate)),
            ("frameRateRational", .array([.int(movie.frameRateNumerator), .int(movie.frameRateDenominator)])),
            ("durationSeconds", .double(movie.durationSeconds)), ("colorSpace", .string(movie.colorSpace)),
            ("colorRange", .string(movie.colorRange)), ("colorPrimaries", .string(movie.colorPrimaries)),
            ("colorTransfer", .string(movie.colorTransfer)), ("timecode", movie.timecode.map { .string($0) } ?? .null),
        ])
    }

    /// Plain-text rendering of either kind of report.
    public static func text(_ report: InfoJSON) -> String {
        guard report["format"] == .string("movie") else { return InfoExr.text(report) }
        guard case .object(let fields) = report else { return "" }
        return fields.map { key, value in
            "\(key): " + { if case .string(let s) = value { return s } else { return value.serialized() } }()
        }.joined(separator: "\n")
    }
}
