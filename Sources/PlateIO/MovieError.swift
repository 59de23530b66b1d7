import CFFmpeg
import FFShim

/// A movie, image or PNG that cannot be read or written: names the file, the frame when known, the
/// stage that failed (open, probe, decode, seek, encode, ...) and the reason.
public struct MediaError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let frame: Int?
    public let stage: String
    public let reason: String

    public init(file: String, frame: Int? = nil, stage: String, reason: String) {
        (self.file, self.frame, self.stage, self.reason) = (file, frame, stage, reason)
    }

    public var description: String {
        "\(file): " + (frame.map { "frame \($0): " } ?? "") + "\(stage): \(reason)"
    }
}

/// FFmpeg's message for an error code.
func ffErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    ffshim_error_string(code, &buffer, Int32(buffer.count))
    return String(cString: buffer)
}

/// Throws a `MediaError` when an FFmpeg call returned a negative code.
@discardableResult
func ffCheck(_ code: Int32, file: String, frame: Int? = nil, stage: String) throws -> Int32 {
    if code < 0 { throw MediaError(file: file, frame: frame, stage: stage, reason: ffErrorString(code)) }
    return code
}

/// FFmpeg's own log lines go to stderr in plateswap's format (`plateswap: ffmpeg: png: reason`),
/// only real errors unless PLATESWAP_VERBOSE is set. They often say more than the error code the
/// call returns ("Invalid PNG signature" against "Invalid data found when processing input").
let ffmpegQuietLogs: Void = {
    ffshim_route_logs(Support.Log.verbose ? AV_LOG_INFO : AV_LOG_ERROR)
}()

import Support
