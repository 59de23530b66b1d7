import CFFmpeg
import FFShim

// Owners of FFmpeg objects. Each class holds one object from the moment it is allocated and frees
// it in its deinit, the only place it is freed: an early throw, a replaced object (a new swscale
// context for a new frame size) or a dropped reader cannot leak or double-free. An allocation
// that fails throws a `MediaError` naming the file, the frame when known, and the stage.
// A raw `pointer` taken out of an owner is valid only while the owner is: keep the owner in a
// stored property, or in a local that is used (or `withExtendedLifetime`) after the last C call.

/// What an FFmpeg allocator returned, or the error for its nil.
private func allocated<Pointer>(_ pointer: Pointer?, _ file: String, _ frame: Int?, _ stage: String) throws -> Pointer {
    guard let pointer else { throw MediaError(file: file, frame: frame, stage: stage, reason: "out of memory") }
    return pointer
}

/// An `AVFrame` (`av_frame_alloc` / `av_frame_free`).
final class FFFrame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init(file: String, frame: Int? = nil, stage: String) throws {
        pointer = try allocated(av_frame_alloc(), file, frame, stage)
    }

    /// A frame with its own buffers for `format` at `width` x `height` (`av_frame_get_buffer`).
    convenience init(format: AVPixelFormat, width: Int32, height: Int32, alignment: Int32,
                     file: String, frame: Int? = nil, stage: String) throws {
        try self.init(file: file, frame: frame, stage: stage)
        pointer.pointee.format = format.rawValue
        pointer.pointee.width = width
        pointer.pointee.height = height
        try ffCheck(av_frame_get_buffer(pointer, alignment), file: file, frame: frame, stage: stage)
    }

    deinit {
        var owned: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&owned)
    }
}

/// An `AVPacket` (`av_packet_alloc` / `av_packet_free`).
final class FFPacket {
    let pointer: UnsafeMutablePointer<AVPacket>

    init(file: String, frame: Int? = nil, stage: String) throws {
        pointer = try allocated(av_packet_alloc(), file, frame, stage)
    }

    deinit {
        var owned: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&owned)
    }
}

/// An `AVCodecContext` for `codec` (`avcodec_alloc_context3` / `avcodec_free_context`).
final class FFCodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init(codec: UnsafePointer<AVCodec>, file: String, frame: Int? = nil, stage: String) throws {
        pointer = try allocated(avcodec_alloc_context3(codec), file, frame, stage)
    }

    deinit {
        var owned: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&owned)
    }
}

/// A demuxer opened on a file (`avformat_open_input` / `avformat_close_input`).
final class FFInputFormat {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    init(path: String, stage: String) throws {
        var opened: UnsafeMutablePointer<AVFormatContext>?
        // On failure avformat_open_input frees what it allocated and leaves `opened` nil.
        try ffCheck(avformat_open_input(&opened, path, nil, nil), file: path, stage: stage)
        pointer = try allocated(opened, path, nil, stage)
    }

    deinit {
        var owned: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&owned)
    }
}

/// A muxer writing `path` (`avformat_alloc_output_context2` / `avformat_free_context`), and the
/// file it writes through (`avio_open` / `avio_closep`), closed by `closeFile` or at the latest here.
final class FFOutputFormat {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    init(formatName: String, path: String, file: String, stage: String) throws {
        var made: UnsafeMutablePointer<AVFormatContext>?
        try ffCheck(avformat_alloc_output_context2(&made, nil, formatName, path), file: file, stage: stage)
        pointer = try allocated(made, file, nil, stage)
    }

    func openFile(_ path: String, file: String, stage: String) throws {
        try ffCheck(avio_open(&pointer.pointee.pb, path, AVIO_FLAG_WRITE), file: file, stage: stage)
    }

    /// Flushes and closes the output file; nothing when it is not open.
    func closeFile() {
        if pointer.pointee.pb != nil { avio_closep(&pointer.pointee.pb) }
    }

    deinit {
        closeFile()
        avformat_free_context(pointer)
    }
}

/// A swscale context (`sws_alloc_context` or `sws_getContext` / `sws_freeContext`).
final class FFScaler {
    let pointer: OpaquePointer

    /// Takes ownership of a context just made by `sws_alloc_context` or `sws_getContext`; nil
    /// (their failure) throws with `reason`.
    init(_ made: OpaquePointer?, reason: String, file: String, frame: Int? = nil, stage: String) throws {
        guard let made else { throw MediaError(file: file, frame: frame, stage: stage, reason: reason) }
        pointer = made
    }

    deinit { sws_freeContext(pointer) }
}

/// An `AVDictionary` of options (`av_dict_set` / `av_dict_free`); FFmpeg allocates it on the first
/// set and may take entries out of it when it consumes them.
final class FFDictionary {
    var pointer: OpaquePointer?

    func set(_ key: String, _ value: String) { av_dict_set(&pointer, key, value, 0) }

    deinit { av_dict_free(&pointer) }
}
