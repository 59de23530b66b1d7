import CFFmpeg
import Foundation

/// What `plateswap info` reports for a movie (or a single image FFmpeg reads).
public struct MovieInfo: Codable, Equatable, Sendable {
    public var file: String
    /// Container, as FFmpeg names it (`mov,mp4,m4a,3gp,3g2,mj2`, `png_pipe`, ...).
    public var container: String
    /// Codec short name: `h264`, `hevc`, `prores`, `dnxhd`, `png`, ...
    public var codec: String
    public var profile: String?
    public var width: Int
    public var height: Int
    public var pixelFormat: String
    /// Frames in the video stream (from the container's index; exact when probed with `countFrames`).
    public var frameCount: Int
    /// Frame rate as a rational and as a number.
    public var frameRateNumerator: Int
    public var frameRateDenominator: Int
    public var frameRate: Double
    public var durationSeconds: Double
    /// YUV matrix, range, primaries and transfer as tagged in the file (`unknown` when untagged).
    public var colorSpace: String
    public var colorRange: String
    public var colorPrimaries: String
    public var colorTransfer: String
    /// SMPTE timecode of the first frame when the file carries one (`00:00:03:10`).
    public var timecode: String?

    /// Opens `url` and reads its video stream's description. `countFrames` demuxes the whole file
    /// (no decoding) to count packets when the container index may be wrong.
    public static func probe(_ url: URL, countFrames: Bool = false) throws -> MovieInfo {
        try MovieInfo(input: MovieInput(url: url), countFrames: countFrames)
    }

    init(input: MovieInput, countFrames: Bool = false) throws {
        let p = input.parameters
        let rate = input.frameRate
        let count = input.frameCount(countPackets: countFrames)
        func name(_ c: UnsafePointer<CChar>?) -> String { c.map { String(cString: $0) } ?? "unknown" }
        file = input.file
        container = name(input.format.pointee.iformat.pointee.name)
        codec = name(avcodec_get_name(p.codec_id))
        profile = avcodec_profile_name(p.codec_id, p.profile).map { String(cString: $0) }
        width = Int(p.width)
        height = Int(p.height)
        pixelFormat = name(av_get_pix_fmt_name(AVPixelFormat(rawValue: p.format)))
        frameCount = count
        frameRateNumerator = Int(rate.num)
        frameRateDenominator = Int(rate.den)
        frameRate = Double(rate.num) / Double(rate.den)
        durationSeconds = Double(count) / frameRate
        colorSpace = name(av_color_space_name(p.color_space))
        colorRange = name(av_color_range_name(p.color_range))
        colorPrimaries = name(av_color_primaries_name(p.color_primaries))
        colorTransfer = name(av_color_transfer_name(p.color_trc))
        timecode = input.metadata("timecode")
        guard width > 0, height > 0 else {
            throw MediaError(file: file, stage: "probe", reason: "video stream has no size (\(width)x\(height))")
        }
    }
}
