import CFFmpeg
import FFShim
import Foundation
import Imaging
import Support

/// Writes a review movie: H.264 (libx264, yuv420p, BT.709 tags) in an .mp4, or MPEG-4 part 2 when
/// the linked libavcodec has no libx264 (Debian's has it). Frames are `ImageBuffer`s holding
/// display-referred R, G, B in [0, 1] (convert scene-linear plates with `convertColor(to: .srgb)`
/// first); values are clamped, NaN becomes 0. Odd sizes are padded to even by repeating the last
/// column/row. The file appears under its name only after `finish()` (temp file + rename).
public final class PreviewWriter {
    public let url: URL
    public let width: Int, height: Int
    /// The encoder in use: "libx264" or "mpeg4".
    public let encoderName: String
    private let temp: URL
    private let output: FFOutputFormat
    private let encoder: FFCodecContext
    /// Owned by `output`.
    private let stream: UnsafeMutablePointer<AVStream>
    private let rgb: FFFrame
    private let yuv: FFFrame
    private let packet: FFPacket
    private let toYUV: FFScaler
    private var frameCount: Int64 = 0
    private var closed = false

    /// `crf`: libx264 quality (lower is better; 18 is visually lossless for review).
    public init(url: URL, width: Int, height: Int, frameRate: (numerator: Int, denominator: Int) = (24, 1),
                crf: Int = 18, preset: String = "medium") throws {
        _ = ffmpegQuietLogs
        self.url = url
        self.width = width
        self.height = height
        let file = url.path
        guard width > 0, height > 0, width <= 16384, height <= 16384 else {
            throw MediaError(file: file, stage: "encode", reason: "preview size \(width)x\(height) out of range")
        }
        guard frameRate.numerator > 0, frameRate.denominator > 0 else {
            throw MediaError(file: file, stage: "encode", reason: "frame rate must be positive")
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        temp = AtomicFile.temporaryURL(beside: url)
        let evenWidth = (width + 1) & ~1, evenHeight = (height + 1) & ~1
        let x264 = avcodec_find_encoder_by_name("libx264")
        guard let codecFound = x264 ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4) else {
            throw MediaError(file: file, stage: "encode", reason: "FFmpeg has neither libx264 nor mpeg4 encoders")
        }
        encoderName = x264 != nil ? "libx264" : "mpeg4"
        output = try FFOutputFormat(formatName: "mp4", path: temp.path, file: file, stage: "encode (mp4 muxer)")
        encoder = try FFCodecContext(codec: codecFound, file: file, stage: "encode")
        guard let newStream = avformat_new_stream(output.pointer, nil) else { throw MediaError(file: file, stage: "encode", reason: "out of memory") }
        stream = newStream
        packet = try FFPacket(file: file, stage: "encode")
        let codec = encoder.pointer
        let rate = AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator))
        codec.pointee.width = Int32(evenWidth)
        codec.pointee.height = Int32(evenHeight)
        codec.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        codec.pointee.time_base = AVRational(num: rate.den, den: rate.num)
        codec.pointee.framerate = rate
        codec.pointee.gop_size = 48
        codec.pointee.color_range = AVCOL_RANGE_MPEG
        codec.pointee.colorspace = AVCOL_SPC_BT709
        codec.pointee.color_primaries = AVCOL_PRI_BT709
        codec.pointee.color_trc = AVCOL_TRC_IEC61966_2_1
        codec.pointee.thread_count = Int32(workerCount)
        if output.pointer.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            codec.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        let options = FFDictionary()
        if x264 != nil {
            options.set("crf", "\(crf)")
            options.set("preset", preset)
        } else {
            codec.pointee.bit_rate = Int64(Double(evenWidth * evenHeight) * Double(rate.num) / Double(rate.den) * 0.25)
        }
        try ffCheck(avcodec_open2(codec, codecFound, &options.pointer), file: file, stage: "encode (open \(encoderName))")
        try ffCheck(avcodec_parameters_from_context(stream.pointee.codecpar, codec), file: file, stage: "encode")
        stream.pointee.time_base = codec.pointee.time_base
        stream.pointee.avg_frame_rate = rate
        rgb = try FFFrame(format: AV_PIX_FMT_GBRPF32LE, width: Int32(evenWidth), height: Int32(evenHeight), alignment: 64,
                          file: file, stage: "encode (frame buffer)")
        yuv = try FFFrame(format: AV_PIX_FMT_YUV420P, width: Int32(evenWidth), height: Int32(evenHeight), alignment: 64,
                          file: file, stage: "encode (frame buffer)")
        toYUV = try FFScaler(sws_getContext(Int32(evenWidth), Int32(evenHeight), AV_PIX_FMT_GBRPF32LE, Int32(evenWidth), Int32(evenHeight),
                                            AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nil, nil, nil),
                             reason: "cannot set up swscale to yuv420p", file: file, stage: "encode")
        _ = sws_setColorspaceDetails(toYUV.pointer, sws_getCoefficients(SWS_CS_ITU709), 1, sws_getCoefficients(SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16)
        // Every stored property is set: from here a throw runs deinit, which removes the temp file.
        try output.openFile(temp.path, file: file, stage: "encode (open temp file)")
        try ffCheck(avformat_write_header(output.pointer, nil), file: file, stage: "encode (header)")
    }

    /// An unfinished preview leaves no file behind (the FFmpeg objects free themselves).
    deinit {
        if !closed {
            output.closeFile()
            try? FileManager.default.removeItem(at: temp)
        }
    }

    /// Encodes one frame (channels R, G, B; others ignored).
    public func append(_ image: ImageBuffer) throws {
        let file = url.path
        guard !closed else { throw MediaError(file: file, stage: "encode", reason: "the preview is already finished") }
        guard image.width == width, image.height == height else {
            throw MediaError(file: file, frame: Int(frameCount), stage: "encode",
                             reason: "frame is \(image.width)x\(image.height), the preview is \(width)x\(height)")
        }
        guard let r = image.channelIndex("R"), let g = image.channelIndex("G"), let b = image.channelIndex("B") else {
            throw MediaError(file: file, frame: Int(frameCount), stage: "encode", reason: "frame needs channels R, G, B, has \(image.channelNames)")
        }
        try ffCheck(av_frame_make_writable(rgb.pointer), file: file, stage: "encode")
        try ffCheck(av_frame_make_writable(yuv.pointer), file: file, stage: "encode")
        let f = rgb.pointer.pointee
        // GBRP plane order: G, B, R.
        let targets = [(f.data.2!, Int(f.linesize.2), r), (f.data.0!, Int(f.linesize.0), g), (f.data.1!, Int(f.linesize.1), b)]
        let evenWidth = Int(f.width), evenHeight = Int(f.height), width = self.width, height = self.height
        _ = image.withPlanePointers { planes in
            for (data, stride, c) in targets {
                let plane = planes[c]
                for y in 0..<evenHeight {
                    let row = UnsafeMutableRawPointer(data + y * stride).assumingMemoryBound(to: Float.self)
                    let sourceRow = plane + min(y, height - 1) * width
                    for x in 0..<evenWidth {
                        let v = sourceRow[min(x, width - 1)]
                        row[x] = v.isNaN ? 0 : min(max(v, 0), 1)
                    }
                }
            }
        }
        try ffCheck(sws_scale_frame(toYUV.pointer, yuv.pointer, rgb.pointer), file: file, frame: Int(frameCount), stage: "encode (colour conversion)")
        yuv.pointer.pointee.pts = frameCount
        frameCount += 1
        try send(yuv.pointer)
    }

    /// Flushes the encoder, finishes the file and renames it into place.
    public func finish() throws {
        let file = url.path
        guard !closed else { return }
        try send(nil)
        try ffCheck(av_write_trailer(output.pointer), file: file, stage: "encode (trailer)")
        output.closeFile()
        closed = true
        if rename(temp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temp)
            throw MediaError(file: file, stage: "write", reason: "cannot rename \(temp.lastPathComponent) into place")
        }
    }

    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        let file = url.path
        try ffCheck(avcodec_send_frame(encoder.pointer, frame), file: file, frame: Int(frameCount) - 1, stage: "encode")
        while true {
            let received = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if received == ffshim_eagain() || received == ffshim_averror_eof() { return }
            try ffCheck(received, file: file, stage: "encode")
            av_packet_rescale_ts(packet.pointer, encoder.pointer.pointee.time_base, stream.pointee.time_base)
            packet.pointer.pointee.stream_index = stream.pointee.index
            try ffCheck(av_interleaved_write_frame(output.pointer, packet.pointer), file: file, stage: "encode (write)")
        }
    }
}
