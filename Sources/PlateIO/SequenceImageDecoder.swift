import CFFmpeg
import FFShim
import Foundation
import Imaging

/// Decodes one still image file (PNG 8/16-bit, DPX, TIFF, JPEG) with FFmpeg's codec for its
/// extension: the whole file is one packet, so no demuxer and no file-name guessing is involved.
enum SequenceImageDecoder {
    static let maximumFileBytes = 2 << 30

    static func codecID(forExtension ext: String) -> AVCodecID? {
        switch ext.lowercased() {
        case "png": return AV_CODEC_ID_PNG
        case "dpx": return AV_CODEC_ID_DPX
        case "tif", "tiff": return AV_CODEC_ID_TIFF
        case "jpg", "jpeg": return AV_CODEC_ID_MJPEG
        default: return nil
        }
    }

    /// Decodes `url` and hands the decoded frame to `body` (valid only during the call).
    static func withDecodedFrame<R>(_ url: URL, frame frameNumber: Int? = nil, codecID: AVCodecID? = nil,
                                    _ body: (UnsafeMutablePointer<AVFrame>) throws -> R) throws -> R {
        _ = ffmpegQuietLogs
        let file = url.path
        guard let id = codecID ?? Self.codecID(forExtension: url.pathExtension) else {
            throw MediaError(file: file, frame: frameNumber, stage: "open", reason: "unknown image type '.\(url.pathExtension)' (png, dpx, tif, tiff, jpg, jpeg)")
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw MediaError(file: file, frame: frameNumber, stage: "open", reason: (error as NSError).localizedDescription)
        }
        guard !data.isEmpty else { throw MediaError(file: file, frame: frameNumber, stage: "decode", reason: "empty file") }
        guard data.count < maximumFileBytes else { throw MediaError(file: file, frame: frameNumber, stage: "decode", reason: "file larger than 2 GiB") }
        guard let decoder = avcodec_find_decoder(id) else {
            throw MediaError(file: file, frame: frameNumber, stage: "open", reason: "FFmpeg has no decoder for \(String(cString: avcodec_get_name(id)))")
        }
        let codec = try FFCodecContext(codec: decoder, file: file, frame: frameNumber, stage: "decode")
        let packet = try FFPacket(file: file, frame: frameNumber, stage: "decode")
        let frame = try FFFrame(file: file, frame: frameNumber, stage: "decode")
        codec.pointer.pointee.thread_count = 1
        try ffCheck(avcodec_open2(codec.pointer, decoder, nil), file: file, frame: frameNumber, stage: "open decoder")
        try ffCheck(av_new_packet(packet.pointer, Int32(data.count)), file: file, frame: frameNumber, stage: "decode")
        data.withUnsafeBytes { bytes in packet.pointer.pointee.data.update(from: bytes.bindMemory(to: UInt8.self).baseAddress!, count: data.count) }
        try ffCheck(avcodec_send_packet(codec.pointer, packet.pointer), file: file, frame: frameNumber, stage: "decode")
        try ffCheck(avcodec_send_packet(codec.pointer, nil), file: file, frame: frameNumber, stage: "decode")
        let received = avcodec_receive_frame(codec.pointer, frame.pointer)
        if received < 0 {
            let reason = received == ffshim_averror_eof() || received == ffshim_eagain() ? "no picture in the file" : ffErrorString(received)
            throw MediaError(file: file, frame: frameNumber, stage: "decode", reason: reason)
        }
        guard frame.pointer.pointee.width > 0, frame.pointer.pointee.height > 0 else {
            throw MediaError(file: file, frame: frameNumber, stage: "decode", reason: "image has no size")
        }
        // The frame's buffers may belong to the codec: both live until `body` returns.
        return try withExtendedLifetime((codec, packet, frame)) { try body(frame.pointer) }
    }

    /// Decodes to Float32 RGB(A) through swscale (JPEG's YCbCr uses its BT.601 full-range matrix).
    static func read(_ url: URL, frame frameNumber: Int? = nil) throws -> ImageBuffer {
        try readWithTimecode(url, frame: frameNumber).image
    }

    /// `read`, and the SMPTE timecode the file carries (a DPX television header's, as FFmpeg
    /// exports it: `01:02:03:04`), when it has one.
    static func readWithTimecode(_ url: URL, frame frameNumber: Int? = nil) throws -> (image: ImageBuffer, timecode: String?) {
        try withDecodedFrame(url, frame: frameNumber) { decoded in
            let isJPEG = Self.codecID(forExtension: url.pathExtension) == AV_CODEC_ID_MJPEG
            let converter = MovieFrameConverter(file: url.path, fallbackMatrix: isJPEG ? AVCOL_SPC_BT470BG : AVCOL_SPC_BT709)
            let timecode = av_dict_get(decoded.pointee.metadata, "timecode", nil, 0)?.pointee.value.map { String(cString: $0) }
            return (try converter.convert(decoded, index: frameNumber), timecode)
        }
    }
}

/// Reads frames of a PNG/DPX/TIFF/JPEG sequence (EXR sequences go through the EXR reader).
public struct SequenceReader {
    public let pattern: SequencePattern

    public init(pattern: SequencePattern) { self.pattern = pattern }

    /// Whether this reader decodes files with the pattern's extension.
    public static func canRead(_ pattern: SequencePattern) -> Bool {
        SequenceImageDecoder.codecID(forExtension: String(pattern.suffix.split(separator: ".").last ?? "")) != nil
    }

    /// Frame `frame` as Float32 R,G,B(,A); PNGs are read exactly (see `PNGFile`).
    public func read(frame: Int) throws -> ImageBuffer {
        let url = pattern.url(frame: frame)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MediaError(file: url.path, frame: frame, stage: "open", reason: "missing frame")
        }
        if url.pathExtension.lowercased() == "png" { return try PNGFile.read(url, frame: frame) }
        return try SequenceImageDecoder.read(url, frame: frame)
    }
}
