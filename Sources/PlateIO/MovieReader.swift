import CFFmpeg
import FFShim
import Foundation
import Imaging
import Support

/// One decoded frame: its 0-based index in presentation order and its pixels.
public struct MovieFrame {
    public let index: Int
    public let image: ImageBuffer
}

/// Decodes a movie (ProRes, DNxHD, H.264, H.265, ... in .mov/.mp4) into Float32 RGB(A) frames.
///
/// Frame numbers are 0-based presentation indices counted from the stream's start time
/// (`round((pts - start) * rate)`), so they do not depend on where decoding began. `seek(toFrame:)`
/// is frame-accurate: it seeks to the key frame at or before the target and decodes forward,
/// dropping frames, so a farm chunk can start mid-clip.
public final class MovieReader {
    public let info: MovieInfo
    private let input: MovieInput
    private let decoder: FFCodecContext
    private let packet: FFPacket
    private let frame: FFFrame
    private let converter: MovieFrameConverter
    private var draining = false
    private var finished = false
    /// Frames below this index are decoded but dropped (after a seek).
    private var skipBelow = Int.min
    private var lastIndex = -1

    public var file: String { input.file }

    /// Frames the container's index lists (mov/mp4 sample tables), or nil when it has none. A
    /// file cut short keeps its index (when it is at the start, or was rebuilt) but holds fewer.
    public var indexedFrameCount: Int? {
        let count = Int(input.stream.pointee.nb_frames)
        return count > 0 ? count : nil
    }

    public init(url: URL, threads: Int = workerCount) throws {
        input = try MovieInput(url: url)
        info = try MovieInfo(input: input)
        converter = MovieFrameConverter(file: url.path, threads: max(1, threads))
        let parameters = input.stream.pointee.codecpar
        guard let codec = avcodec_find_decoder(parameters!.pointee.codec_id) else {
            throw MediaError(file: url.path, stage: "open decoder", reason: "no decoder for codec \(info.codec)")
        }
        decoder = try FFCodecContext(codec: codec, file: url.path, stage: "open decoder")
        packet = try FFPacket(file: url.path, stage: "open decoder")
        frame = try FFFrame(file: url.path, stage: "open decoder")
        let context = decoder.pointer
        try ffCheck(avcodec_parameters_to_context(context, parameters), file: file, stage: "open decoder")
        context.pointee.thread_count = Int32(max(1, threads))
        context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        context.pointee.pkt_timebase = input.stream.pointee.time_base
        try ffCheck(avcodec_open2(context, codec, nil), file: file, stage: "open decoder (\(info.codec))")
    }

    /// The next frame in presentation order, or nil at the end of the movie.
    public func nextFrame() throws -> MovieFrame? {
        while let index = try decodeNext() {
            if index < skipBelow { continue }
            skipBelow = Int.min
            return MovieFrame(index: index, image: try converter.convert(frame.pointer, index: index))
        }
        return nil
    }

    /// Positions the reader so that `nextFrame()` returns frame `target`.
    public func seek(toFrame target: Int) throws {
        guard target >= 0 else {
            throw MediaError(file: file, frame: target, stage: "seek", reason: "frame numbers of a movie start at 0")
        }
        // Seek a little earlier each time the decoder lands past the target (inexact indexes).
        var backoff = 0
        for _ in 0..<6 {
            let timestamp = input.timestamp(frame: max(0, target - backoff))
            try ffCheck(av_seek_frame(input.format, input.streamIndex, timestamp, AVSEEK_FLAG_BACKWARD),
                        file: file, frame: target, stage: "seek")
            avcodec_flush_buffers(decoder.pointer)
            draining = false
            finished = false
            lastIndex = -1
            guard let first = try decodeNext() else { break }
            if first <= target || target - backoff <= 0 {
                skipBelow = target
                pending = first
                return
            }
            backoff = max(1, backoff * 2 + Int(info.frameRate.rounded()))
        }
        throw MediaError(file: file, frame: target, stage: "seek", reason: "could not reach the frame")
    }

    /// Frames `read(frame:)` decodes forward through instead of seeking: decoding a short gap
    /// (`extract --every 2..30`, a chunk's next frame) beats a key-frame seek.
    public static let forwardDecodeLimit = 60

    /// Frame `index`: decoded forward from the current position when it is at most
    /// `forwardDecodeLimit` frames ahead, else reached with a frame-accurate seek.
    public func read(frame target: Int) throws -> ImageBuffer {
        if (1...Self.forwardDecodeLimit).contains(target - lastReturned) && !finished {
            skipBelow = target   // the frames in between are decoded and dropped
        } else {
            try seek(toFrame: target)
        }
        // Neither message names another frame: after a truncation the decoder's frame numbers
        // can point past the end of the movie.
        guard let result = try nextFrame() else {
            throw MediaError(file: file, frame: target, stage: "decode",
                             reason: "the stream ends before this frame (the container lists \(info.frameCount) frames; the file may be truncated)")
        }
        guard result.index == target else {
            throw MediaError(file: file, frame: target, stage: "decode",
                             reason: "the decoder skipped this frame (the file may be truncated or damaged)")
        }
        return result.image
    }

    private var lastReturned: Int { lastIndex }
    /// A frame decoded by `seek` that `nextFrame` must still consider.
    private var pending: Int?

    /// Decodes the next frame into `frame` and returns its index, or nil at the end.
    private func decodeNext() throws -> Int? {
        if let index = pending {
            pending = nil
            return index
        }
        while !finished {
            let received = avcodec_receive_frame(decoder.pointer, frame.pointer)
            if received == 0 {
                let f = frame.pointer.pointee
                let pts = f.best_effort_timestamp != ffshim_nopts_value() ? f.best_effort_timestamp : f.pts
                let index = pts != ffshim_nopts_value() ? input.frameIndex(pts: pts) : lastIndex + 1
                lastIndex = index
                return index
            }
            if received == ffshim_averror_eof() {
                finished = true
                return nil
            }
            if received != ffshim_eagain() {
                throw MediaError(file: file, frame: lastIndex + 1, stage: "decode", reason: ffErrorString(received))
            }
            if draining { finished = true; return nil }
            let read = av_read_frame(input.format, packet.pointer)
            if read == ffshim_averror_eof() {
                draining = true
                try ffCheck(avcodec_send_packet(decoder.pointer, nil), file: file, frame: lastIndex + 1, stage: "decode")
                continue
            }
            try ffCheck(read, file: file, frame: lastIndex + 1, stage: "read packet")
            defer { av_packet_unref(packet.pointer) }
            if packet.pointer.pointee.stream_index != input.streamIndex { continue }
            let sent = avcodec_send_packet(decoder.pointer, packet.pointer)
            if sent < 0 && sent != ffshim_eagain() {
                throw MediaError(file: file, frame: lastIndex + 1, stage: "decode", reason: ffErrorString(sent))
            }
        }
        return nil
    }
}
