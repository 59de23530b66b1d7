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
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var rgb: UnsafeMutablePointer<AVFrame>?
    private var yuv: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var sws: OpaquePointer?
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
        guard let encoder = x264 ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4) else {
            throw MediaError(file: file, stage: "encode", reason: "FFmpeg has neither libx264 nor mpeg4 encoders")
        }
        encoderName = x264 != nil ? "libx264" : "mpeg4"
        try ffCheck(avformat_alloc_output_context2(&format, nil, "mp4", temp.path), file: file, stage: "encode (mp4 muxer)")
        codec = avcodec_alloc_context3(encoder)
        stream = avformat_new_stream(format, nil)
        packet = av_packet_alloc()
        rgb = av_frame_alloc()
        yuv = av_frame_alloc()
        guard let codec, let stream, packet != nil, let rgb, let yuv else { throw MediaError(file: file, stage: "encode", reason: "out of memory") }
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
        if format!.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            codec.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        if x264 != nil {
            av_dict_set(&options, "crf", "\(crf)", 0)
            av_dict_set(&options, "preset", preset, 0)
        } else {
            codec.pointee.bit_rate = Int64(Double(evenWidth * evenHeight) * Double(rate.num) / Double(rate.den) * 0.25)
        }
        try ffCheck(avcodec_open2(codec, encoder, &options), file: file, stage: "encode (open \(encoderName))")
        try ffCheck(avcodec_parameters_from_context(stream.pointee.codecpar, codec), file: file, stage: "encode")
        stream.pointee.time_base = codec.pointee.time_base
        stream.pointee.avg_frame_rate = rate
        try ffCheck(avio_open(&format!.pointee.pb, temp.path, AVIO_FLAG_WRITE), file: file, stage: "encode (open temp file)")
        try ffCheck(avformat_write_header(format, nil), file: file, stage: "encode (header)")
        for (frame, pixelFormat) in [(rgb, AV_PIX_FMT_GBRPF32LE), (yuv, AV_PIX_FMT_YUV420P)] {
            frame.pointee.format = pixelFormat.rawValue
            frame.pointee.width = Int32(evenWidth)
            frame.pointee.height = Int32(evenHeight)
            try ffCheck(av_frame_get_buffer(frame, 64), file: file, stage: "encode (frame buffer)")
        }
        sws = sws_getContext(Int32(evenWidth), Int32(evenHeight), AV_PIX_FMT_GBRPF32LE, Int32(evenWidth), Int32(evenHeight),
                             AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nil, nil, nil)
        guard sws != nil else { throw MediaError(file: file, stage: "encode", reason: "cannot set up swscale to yuv420p") }
        _ = sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_ITU709), 1, sws_getCoefficients(SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16)
    }

    deinit {
        if !closed {
            if format?.pointee.pb != nil { avio_closep(&format!.pointee.pb) }
            try? FileManager.default.removeItem(at: temp)
        }
        avformat_free_context(format)
        avcodec_free_context(&codec)
        av_frame_free(&rgb)
        av_frame_free(&yuv)
        av_packet_free(&packet)
        sws_freeContext(sws)
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
        try ffCheck(av_frame_make_writable(rgb), file: file, stage: "encode")
        try ffCheck(av_frame_make_writable(yuv), file: file, stage: "encode")
        let f = rgb!.pointee
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
        try ffCheck(sws_scale_frame(sws, yuv, rgb), file: file, frame: Int(frameCount), stage: "encode (colour conversion)")
        yuv!.pointee.pts = frameCount
        frameCount += 1
        try send(yuv)
    }

    /// Flushes the encoder, finishes the file and renames it into place.
    public func finish() throws {
        let file = url.path
        guard !closed else { return }
        try send(nil)
        try ffCheck(av_write_trailer(format), file: file, stage: "encode (trailer)")
        avio_closep(&format!.pointee.pb)
        closed = true
        if rename(temp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temp)
            throw MediaError(file: file, stage: "write", reason: "cannot rename \(temp.lastPathComponent) into place")
        }
    }

    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        let file = url.path
        try ffCheck(avcodec_send_frame(codec, frame), file: file, frame: Int(frameCount) - 1, stage: "encode")
        while true {
            let received = avcodec_receive_packet(codec, packet)
            if received == ffshim_eagain() || received == ffshim_averror_eof() { return }
            try ffCheck(received, file: file, stage: "encode")
            av_packet_rescale_ts(packet, codec!.pointee.time_base, stream!.pointee.time_base)
            packet!.pointee.stream_index = stream!.pointee.index
            try ffCheck(av_interleaved_write_frame(format, packet), file: file, stage: "encode (write)")
        }
    }
}
