import CFFmpeg
import FFShim
import Foundation
import Imaging
import Support

/// PNG in and out through FFmpeg's PNG codec, with exact integer <-> float mapping: reading gives
/// code / 255 or code / 65535, writing rounds value * 255 or * 65535 after clamping to [0, 1]
/// (NaN -> 0), so a 16-bit file read and written again is bit-identical. Channels are R, G, B and
/// A when the file has alpha; grey files come back as R = G = B. Colour chunks (sRGB, gAMA, cHRM)
/// are not applied: values are the stored code values.
public enum PNGFile {
    public static func read(_ url: URL, frame: Int? = nil) throws -> ImageBuffer {
        try SequenceImageDecoder.withDecodedFrame(url, frame: frame, codecID: AV_CODEC_ID_PNG) { decoded in
            try MovieFrameConverter(file: url.path).convert(decoded, index: frame)
        }
    }

    /// Writes R, G, B (and A when present) at 8 or 16 bits per channel, atomically.
    public static func write(_ image: ImageBuffer, bitDepth: Int = 16, to url: URL) throws {
        let file = url.path
        guard bitDepth == 8 || bitDepth == 16 else {
            throw MediaError(file: file, stage: "encode", reason: "PNG bit depth must be 8 or 16, not \(bitDepth)")
        }
        let names = image.channelIndex("A") == nil ? ["R", "G", "B"] : ["R", "G", "B", "A"]
        guard names.allSatisfy({ image.channelIndex($0) != nil }) else {
            throw MediaError(file: file, stage: "encode", reason: "PNG needs channels R, G, B; the image has \(image.channelNames)")
        }
        guard image.width > 0, image.height > 0 else {
            throw MediaError(file: file, stage: "encode", reason: "cannot write an empty \(image.width)x\(image.height) image")
        }
        let data = try encode(image.selecting(names), bitDepth: bitDepth, file: file)
        do { try AtomicFile.write(data, to: url) } catch {
            throw MediaError(file: file, stage: "write", reason: (error as NSError).localizedDescription)
        }
    }

    static func encode(_ image: ImageBuffer, bitDepth: Int, file: String) throws -> Data {
        _ = ffmpegQuietLogs
        let channels = image.planes.count
        let format: AVPixelFormat = bitDepth == 8 ? (channels == 4 ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24)
                                                  : (channels == 4 ? AV_PIX_FMT_RGBA64BE : AV_PIX_FMT_RGB48BE)
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_PNG) else {
            throw MediaError(file: file, stage: "encode", reason: "FFmpeg has no PNG encoder")
        }
        let context = try FFCodecContext(codec: encoder, file: file, stage: "encode")
        let packet = try FFPacket(file: file, stage: "encode")
        let codec = context.pointer
        codec.pointee.width = Int32(image.width)
        codec.pointee.height = Int32(image.height)
        codec.pointee.pix_fmt = format
        codec.pointee.time_base = AVRational(num: 1, den: 25)
        try ffCheck(avcodec_open2(codec, encoder, nil), file: file, stage: "encode (open PNG encoder)")
        let picture = try FFFrame(format: format, width: Int32(image.width), height: Int32(image.height), alignment: 0,
                                  file: file, stage: "encode")
        let frame = picture.pointer
        let maximum: Float = bitDepth == 8 ? 255 : 65535
        let stride = Int(frame.pointee.linesize.0), width = image.width
        let base = frame.pointee.data.0!
        _ = image.withPlanePointers { planes in
            parallelFor(image.height) { y in
                let row = base + y * stride
                for x in 0..<width {
                    for c in 0..<channels {
                        let v = planes[c][y * width + x]
                        let code = UInt16((v.isNaN ? 0 : min(max(v, 0), 1)) * maximum + 0.5)
                        if bitDepth == 8 {
                            row[x * channels + c] = UInt8(code)
                        } else {
                            row[2 * (x * channels + c)] = UInt8(code >> 8)
                            row[2 * (x * channels + c) + 1] = UInt8(code & 0xff)
                        }
                    }
                }
            }
        }
        try ffCheck(avcodec_send_frame(codec, frame), file: file, stage: "encode")
        try ffCheck(avcodec_send_frame(codec, nil), file: file, stage: "encode")
        try ffCheck(avcodec_receive_packet(codec, packet.pointer), file: file, stage: "encode")
        // `codec` and `frame` above are the owners' pointers: the owners live until the bytes are copied.
        return withExtendedLifetime((context, picture)) {
            Data(bytes: packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size))
        }
    }
}
