import CFFmpeg
import FFShim
import Foundation

/// An opened container and its best video stream (shared by `MovieInfo` and `MovieReader`).
final class MovieInput {
    let file: String
    private let input: FFInputFormat
    let streamIndex: Int32

    init(url: URL) throws {
        _ = ffmpegQuietLogs
        file = url.path
        guard FileManager.default.fileExists(atPath: file) else {
            throw MediaError(file: file, stage: "open", reason: "no such file")
        }
        input = try FFInputFormat(path: file, stage: "open")
        try ffCheck(avformat_find_stream_info(input.pointer, nil), file: file, stage: "probe")
        let best = av_find_best_stream(input.pointer, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard best >= 0 else { throw MediaError(file: file, stage: "probe", reason: "no video stream") }
        streamIndex = best
    }

    var format: UnsafeMutablePointer<AVFormatContext> { input.pointer }

    var stream: UnsafeMutablePointer<AVStream> { format.pointee.streams[Int(streamIndex)]! }

    var parameters: AVCodecParameters { stream.pointee.codecpar.pointee }

    /// Frames per second as a rational (average rate, else the base rate, else 24).
    var frameRate: AVRational {
        let average = stream.pointee.avg_frame_rate, base = stream.pointee.r_frame_rate
        if average.num > 0 && average.den > 0 { return average }
        if base.num > 0 && base.den > 0 { return base }
        return AVRational(num: 24, den: 1)
    }

    /// Presentation time of frame 0, in stream time base units.
    var startTime: Int64 {
        let start = stream.pointee.start_time
        return start == ffshim_nopts_value() ? 0 : start
    }

    /// 0-based frame index of a presentation timestamp.
    func frameIndex(pts: Int64) -> Int {
        let tb = stream.pointee.time_base, rate = frameRate
        let seconds = Double(pts - startTime) * Double(tb.num) / Double(tb.den)
        return Int((seconds * Double(rate.num) / Double(rate.den)).rounded())
    }

    /// Presentation timestamp of a frame index.
    func timestamp(frame: Int) -> Int64 {
        let tb = stream.pointee.time_base, rate = frameRate
        // frame / rate seconds, in time base units: frame * rate.den * tb.den / (rate.num * tb.num)
        return startTime + av_rescale_q(Int64(frame), AVRational(num: rate.den, den: rate.num), tb)
    }

    /// Frame count from the container index, else from the duration; `count` demuxes every packet.
    func frameCount(countPackets: Bool) -> Int {
        if !countPackets && stream.pointee.nb_frames > 0 { return Int(stream.pointee.nb_frames) }
        if countPackets, let counted = try? countVideoPackets() { return counted }
        if stream.pointee.nb_frames > 0 { return Int(stream.pointee.nb_frames) }
        let tb = stream.pointee.time_base, rate = frameRate
        var seconds: Double = 0
        if stream.pointee.duration != ffshim_nopts_value() && stream.pointee.duration > 0 {
            seconds = Double(stream.pointee.duration) * Double(tb.num) / Double(tb.den)
        } else if format.pointee.duration != ffshim_nopts_value() && format.pointee.duration > 0 {
            seconds = Double(format.pointee.duration) / Double(AV_TIME_BASE)
        } else {
            return 1   // a still image
        }
        return max(1, Int((seconds * Double(rate.num) / Double(rate.den)).rounded()))
    }

    private func countVideoPackets() throws -> Int {
        let packet = try FFPacket(file: file, stage: "probe")
        var count = 0
        while av_read_frame(format, packet.pointer) >= 0 {
            if packet.pointer.pointee.stream_index == streamIndex { count += 1 }
            av_packet_unref(packet.pointer)
        }
        try ffCheck(av_seek_frame(format, streamIndex, startTime, AVSEEK_FLAG_BACKWARD), file: file, stage: "seek")
        return count
    }

    func metadata(_ key: String) -> String? {
        for dictionary in [stream.pointee.metadata, format.pointee.metadata] {
            if let entry = av_dict_get(dictionary, key, nil, 0), let value = entry.pointee.value { return String(cString: value) }
        }
        return nil
    }
}
