import Foundation
import Imaging
import Support

/// One decoded frame: the pixels of the chosen layer (R, G, B first, then A and the layer's other
/// channels) covering the data window, and the header an output frame keeps (windows, attributes,
/// and for movie and image plates the `framesPerSecond` and `timeCode` they carry).
public struct SourceFrame {
    public var image: ImageBuffer
    public var header: ExrHeader
    /// EXR frames read with `everything`: every part of the file, what an output writes through;
    /// `image` is layer `layer` of `parts[partIndex]`, which comes decoded with every channel (full
    /// names, as in the file; uint samples exact, a mip- or rip-mapped part with every level). The
    /// other parts are not decoded: they are copied from the plate as it stores them
    /// (`ExrPartImage.copiedFrom`), deep parts included.
    public var parts: [ExrPartImage]?
    public var partIndex = 0
    public var layer = ""

    public init(image: ImageBuffer, header: ExrHeader) {
        self.image = image
        self.header = header
    }

    /// Absolute position of the buffer's top-left pixel (the data window's min corner).
    public var origin: (x: Int, y: Int) { (header.dataWindow.xMin, header.dataWindow.yMin) }

    /// The EXR `framesPerSecond` of a rate: 24 -> 24/1, 29.97 -> 30000/1001, else thousandths.
    public static func rational(_ rate: Double) -> (Int32, UInt32) {
        for denominator in [1, 1001, 1000] as [UInt32] {
            let numerator = (rate * Double(denominator)).rounded()
            if abs(numerator / Double(denominator) - rate) <= rate * 1e-5 { return (Int32(numerator), denominator) }
        }
        return (Int32((rate * 1000).rounded()), 1000)
    }
}

/// Why a frame source cannot be used or a frame cannot be read. `source`: the input as a whole (a
/// wrong path, an unsupported type, no frames: bad input); `frame`: one frame (missing, damaged, past
/// the end of a movie), numbered as the caller numbers it.
public enum FrameSourceError: Error, CustomStringConvertible, LocalizedError {
    case source(String)
    case frame(Int, String)

    public var reason: String {
        switch self {
        case let .source(reason), let .frame(_, reason): return reason
        }
    }

    public var description: String {
        switch self {
        case let .source(reason): return reason
        case let .frame(frame, reason): return "frame \(frame): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

/// The one reader of plates and input sequences (`run`, `track`, `extract`, `detect`): EXR, PNG,
/// DPX, TIFF and JPEG sequences and movies, decoded by the same rules everywhere:
/// - pixels stay as the file holds them (EXR values, integer code values / (2^bits - 1), a movie's
///   RGB through its YUV matrix); `colorSpace` says what they are (declared, else the file's own
///   tags by `PlateColorRules`) and `encoding` turns them into network RGB and back, so the same
///   frame gives the same pixels and crops in every command;
/// - EXR: the layer chosen (`Options.layer`) of the part chosen (`Options.part`; by default the
///   first part that has that layer's R, G, B, or Y); a luminance-only (Y) layer becomes grey
///   R = G = B = Y; `read(frame:everything:)` also hands every part and channel to write through;
/// - movies: frame numbers start at `Options.movieFirstFrame` (a shot's `plate.first_frame`, 1001 by
///   default; `extract` numbers from 0); frames are decoded forward, with a frame-accurate seek
///   only when the next wanted frame is behind or far ahead;
/// - metadata an output carries: movie and image frames get `framesPerSecond`, movie frames their
///   SMPTE `timeCode` (the movie's start timecode plus the frame's index), DPX frames the timecode
///   of their television header; EXR frames keep their own header.
public final class FrameSource {
    public struct Options {
        /// EXR layer ("" = the unprefixed channels, `beauty` = `beauty.R` ...) and part (nil: the
        /// first part that has the layer's R, G, B, or Y).
        public var part: ExrPartSelector?
        public var layer = ""
        /// The declared colour space (nil: the file's own tags) and the config names resolve in.
        public var colorspace: NamedColorSpace?
        public var names = ColorSpaceNames(config: nil)
        /// What a declared space that an EXR's chromaticities contradict is.
        public var chromaticities: PlateColorRules.MismatchPolicy = .error
        /// Where the space was declared, for messages (`plate.colorspace`, `--colorspace`).
        public var colorspaceKey = "plate.colorspace"
        /// The frame number of a movie's first frame, and where it was set (for messages).
        public var movieFirstFrame = 0
        public var movieFirstFrameKey = "plate.first_frame"
        /// Frames per second to use instead of the plate's own.
        public var frameRate: Double?

        public init() {}
    }

    public enum Kind {
        case exrSequence(SequencePattern)
        case imageSequence(SequencePattern)
        case movie(URL)
    }

    /// A movie's frames: `data` of them decode, `listed` (more when the file is cut short) are in
    /// the container's index; numbers run from `first`.
    public struct MovieFrames: Equatable, Sendable {
        public let first: Int
        public let data: Int
        public let listed: Int
        public var isCutShort: Bool { listed > data }
    }

    public let kind: Kind
    /// The path as given (for messages).
    public let path: String
    public let options: Options
    /// Frames with a file on disk (sequences), or every frame a movie's index lists.
    public let available: [Int]
    /// Movies only.
    public let movieFrames: MovieFrames?
    /// The EXR part frames are read from: `Options.part`, else found in the first frame (0 for
    /// other kinds).
    public let part: ExrPartSelector
    /// What the pixels are: `Options.colorspace`, else the plate's own tags (`PlateColorRules`; a
    /// sequence by its first frame).
    public var colorSpace: NamedColorSpace { colorChoice.space }
    /// The space and the rule that chose it (logged when the source opens).
    public let colorChoice: PlateColorRules.Choice
    /// How the pixels become network RGB and back.
    public let encoding: NetworkEncoding
    /// Frames per second: `Options.frameRate`, else the plate's own (EXR `framesPerSecond`, the
    /// movie's rate), else 24.
    public let frameRate: Double
    /// The movie's rate as stored (exact for 30000/1001), when no other rate was asked for.
    private let rateRational: (Int32, UInt32)
    /// The timecode of a movie's frame 0, when the movie has one.
    public let startTimecode: Timecode?
    private let movie: MovieReader?

    /// Opens a sequence pattern (`plate.####.exr`, `%04d`, `$F4`, `@@@@`) or a movie. Throws
    /// `FrameSourceError.source` for an unusable path; `PlateColorMismatch`, `PlateColorTagError` or
    /// `ColorError` for a colour space that does not fit.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.lowercased()
        var evidence = PlateColorRules.Evidence.image
        var ownRate: (Int32, UInt32)?
        var firstFile = path
        if SequencePattern.hasFrameToken(path) {
            let pattern: SequencePattern
            do {
                pattern = try SequencePattern(path)
                available = try pattern.framesOnDisk()
            } catch { throw FrameSourceError.source("\(error)") }
            if ext == "exr" {
                kind = .exrSequence(pattern)
            } else if SequenceReader.canRead(pattern) {
                kind = .imageSequence(pattern)
            } else {
                throw FrameSourceError.source("'.\(ext)' sequences are not supported (exr, png, dpx, tif, tiff, jpg, jpeg)")
            }
            guard let first = available.first else { throw FrameSourceError.source("no plate frames match \(path)") }
            firstFile = pattern.path(frame: first)
            if ext == "exr" {
                let (header, index) = Self.evidenceHeader(pattern, frames: available, part: options.part, layer: options.layer)
                part = options.part ?? .index(index)
                evidence = .exr(header)
                if case let .rational(n, d)? = header.attributes["framesPerSecond"], n > 0, d > 0 { ownRate = (n, d) }
            } else {
                part = 0
                if ext == "png" { evidence = .png(PNGColorTags.read(pattern.url(frame: first))) }
            }
            movieFrames = nil
            movie = nil
            startTimecode = nil
        } else {
            guard ext != "exr" else { throw FrameSourceError.source("an EXR plate needs a frame pattern such as plate.####.exr") }
            let reader: MovieReader
            let count: Int
            do {
                reader = try MovieReader(url: url)
                count = try MovieInfo.probe(url, countFrames: true).frameCount
            } catch { throw FrameSourceError.source("\(error)") }
            // A truncated movie's lost frames stay numbered, so they fail loudly instead of
            // silently shortening the shot.
            let frames = MovieFrames(first: options.movieFirstFrame, data: count, listed: max(count, reader.indexedFrameCount ?? 0))
            guard frames.listed > 0 else { throw FrameSourceError.source("\(path): the movie has no frames") }
            kind = .movie(url)
            part = 0
            movie = reader
            movieFrames = frames
            available = Array(frames.first..<(frames.first + frames.listed))
            let info = reader.info
            ownRate = (Int32(info.frameRateNumerator), UInt32(info.frameRateDenominator))
            evidence = .movie(PlateColorRules.movieTags(info))
            startTimecode = info.timecode.flatMap { Timecode(parsing: $0, frameRate: info.frameRate) }
        }
        colorChoice = try PlateColorRules.choose(declared: options.colorspace, evidence: evidence, names: options.names,
                                                 file: firstFile, policy: options.chromaticities, key: options.colorspaceKey)
        Log.info("\(path): colour space '\(colorChoice.space.name)' (\(colorChoice.rule))")
        encoding = try NetworkEncoding(plate: colorChoice.space)
        if let rate = options.frameRate {
            frameRate = rate
            rateRational = SourceFrame.rational(rate)
        } else if let (n, d) = ownRate, n > 0, d > 0 {
            frameRate = Double(n) / Double(d)
            rateRational = (n, d)
        } else {
            frameRate = 24
            rateRational = (24, 1)
        }
    }

    /// The header and index of the chosen part (`part`, else the first that has `layer`, else 0)
    /// in the first frame whose header parses (a damaged first frame must not change the plate's
    /// colour space); an untagged header when none does.
    private static func evidenceHeader(_ pattern: SequencePattern, frames: [Int], part: ExrPartSelector?,
                                       layer: String) -> (ExrHeader, Int) {
        for frame in frames.prefix(8) {
            let file = pattern.url(frame: frame)
            guard let headers = try? ExrImage.headers(of: file), !headers.isEmpty else { continue }
            let index = part.map { (try? ExrImage.resolve($0, in: headers, file: file.path)) ?? 0 } ?? firstPart(headers, layer: layer) ?? 0
            return (headers[index], index)
        }
        return (ExrHeader(dataWindow: PixelBox(width: 1, height: 1)), 0)
    }

    /// The first part with the layer's R, G and B channels (or its Y): the default part to read.
    public static func firstPart(_ headers: [ExrHeader], layer: String) -> Int? {
        let prefix = layer.isEmpty ? "" : layer + "."
        return headers.firstIndex { header in
            !header.partType.isDeep && (["R", "G", "B"].allSatisfy { header.channel(named: prefix + $0) != nil }
                                        || header.channel(named: prefix + "Y") != nil)
        }
    }

    /// The file holding `frame` (the movie for every frame of a movie).
    public func file(frame: Int) -> String {
        switch kind {
        case let .exrSequence(pattern), let .imageSequence(pattern): return pattern.path(frame: frame)
        case let .movie(url): return url.path
        }
    }

    /// Reads one frame. Every failure (missing, truncated or corrupt file, a frame past the end of
    /// a movie, no R/G/B or Y channels) is a `FrameSourceError.frame` naming the file.
    /// `everything`: an EXR frame also comes with every part and channel (`SourceFrame.parts`).
    public func read(frame: Int, everything: Bool = false) throws -> SourceFrame {
        switch kind {
        case let .exrSequence(pattern), let .imageSequence(pattern):
            let url = pattern.url(frame: frame)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw FrameSourceError.frame(frame, "plate frame \(url.path) is missing")
            }
            if everything, case .exrSequence = kind {
                return try Self.decodeEverything(url, frame: frame, part: part, layer: options.layer)
            }
            var (read, timecode) = try Self.decodeWithTimecode(url, frame: frame, part: part, layer: options.layer)
            if case .imageSequence = kind {
                read.header.attributes["framesPerSecond"] = framesPerSecond
                // A DPX frame's own timecode goes on with it.
                if let code = timecode.flatMap({ Timecode(parsing: $0, frameRate: frameRate) }) { read.header.attributes["timeCode"] = .timecode(code.exr) }
            }
            return read
        case .movie:
            return try readMovie(frame)
        }
    }

    private var framesPerSecond: ExrAttribute { .rational(numerator: rateRational.0, denominator: rateRational.1) }

    private func readMovie(_ frame: Int) throws -> SourceFrame {
        guard let movie, let frames = movieFrames else { throw FrameSourceError.frame(frame, "\(path): the movie is closed") }
        let index = frame - frames.first
        guard index >= 0, index < frames.listed else {
            throw FrameSourceError.frame(frame, "\(movie.file) has frames \(frames.first)-\(frames.first + frames.listed - 1) (\(options.movieFirstFrameKey) \(frames.first))")
        }
        guard index < frames.data else {
            let end = frames.data > 0 ? "its data ends at frame \(frames.first + frames.data - 1)" : "it holds no frame data"
            throw FrameSourceError.frame(frame, "\(movie.file) is cut short: \(end), though its index lists frames up to \(frames.first + frames.listed - 1)")
        }
        let image: ImageBuffer
        do {
            image = try movie.read(frame: index)
        } catch let error as MediaError {
            // The frame is the caller's: the decoder's own 0-based numbers, which after a truncation
            // may name the wrong frame or one past the end, are left out.
            throw FrameSourceError.frame(frame, "\(error.file): this frame cannot be decoded (\(error.stage): \(error.reason))")
        }
        var header = ExrHeader(dataWindow: PixelBox(width: image.width, height: image.height),
                               attributes: ["framesPerSecond": framesPerSecond])
        if let start = startTimecode { header.attributes["timeCode"] = .timecode(start.adding(index).exr) }
        return SourceFrame(image: image, header: header)
    }

    // MARK: - Single files

    /// One image file (EXR, PNG, DPX, TIFF, JPEG) in the space `options.colorspace` declares (checked
    /// against an EXR's chromaticities), else its own tags: what `detect` and a folder of photos read.
    public static func readStill(_ url: URL, options: Options = Options()) throws -> (frame: SourceFrame, colorSpace: NamedColorSpace) {
        let headers = url.pathExtension.lowercased() == "exr" ? (try? ExrImage.headers(of: url)) ?? [] : []
        let part = options.part ?? .index(firstPart(headers, layer: options.layer) ?? 0)
        let frame = try decode(url, frame: nil, part: part, layer: options.layer)
        let evidence: PlateColorRules.Evidence
        switch url.pathExtension.lowercased() {
        case "exr": evidence = .exr(frame.header)
        case "png": evidence = .png(PNGColorTags.read(url))
        default: evidence = .image
        }
        let choice = try PlateColorRules.choose(declared: options.colorspace, evidence: evidence, names: options.names,
                                                file: url.path, policy: options.chromaticities, key: options.colorspaceKey)
        // Debug only: a folder of photos would log a line per photo.
        Log.debug("\(url.path): colour space '\(choice.space.name)' (\(choice.rule))")
        return (frame, choice.space)
    }

    /// The image files `readStill` and sequences read.
    public static func canRead(_ url: URL) -> Bool {
        let ext = url.pathExtension.lowercased()
        return ext == "exr" || StillImage.extensions.contains(ext)
    }

    /// Decodes one file by the rules above; failures are `FrameSourceError.frame` (or `.source`
    /// without a frame number) naming the file.
    static func decode(_ url: URL, frame: Int?, part: ExrPartSelector, layer: String) throws -> SourceFrame {
        try decodeWithTimecode(url, frame: frame, part: part, layer: layer).frame
    }

    /// `decode`, and the timecode text a DPX (or other FFmpeg-decoded) file carries.
    static func decodeWithTimecode(_ url: URL, frame: Int?, part: ExrPartSelector, layer: String) throws -> (frame: SourceFrame, timecode: String?) {
        func fail(_ reason: String) -> FrameSourceError { frame.map { .frame($0, reason) } ?? .source(reason) }
        var result: SourceFrame
        var timecode: String?
        do {
            if url.pathExtension.lowercased() == "exr" {
                let (image, header) = try ExrImage.read(url, part: part, layer: layer)
                result = SourceFrame(image: image, header: header)
            } else {
                let image: ImageBuffer
                if url.pathExtension.lowercased() == "png" {
                    image = try PNGFile.read(url, frame: frame)
                } else {
                    (image, timecode) = try SequenceImageDecoder.readWithTimecode(url, frame: frame)
                }
                result = SourceFrame(image: image, header: ExrHeader(dataWindow: PixelBox(width: image.width, height: image.height)))
            }
        } catch let error as FrameSourceError {
            throw error
        } catch {
            throw fail("\(error)")
        }
        result.image = try rgb(result.image, file: url.path, fail: fail)
        return (result, timecode)
    }

    /// Every part of an EXR frame (the chosen one decoded with every channel and level, the others
    /// to be copied), and the chosen layer of the chosen part as `decode` gives it.
    static func decodeEverything(_ url: URL, frame: Int, part: ExrPartSelector, layer: String) throws -> SourceFrame {
        func fail(_ reason: String) -> FrameSourceError { .frame(frame, reason) }
        do {
            let headers = try ExrImage.headers(of: url)
            let index = try ExrImage.resolve(part, in: headers, file: url.path)
            // The chosen part's levels: its untouched channels keep theirs (OutputFrame.parts).
            let decoded = try ExrImage.readPart(url, part: index, levels: true)
            // The parts copied at write time are checked now, so a damaged one fails the read (bad input).
            for p in headers.indices where p != index {
                try ExrImage.verifyChunks(url, part: p, header: headers[p])
            }
            let parts = headers.indices.map { $0 == index ? decoded : ExrPartImage(copying: $0, of: url, header: headers[$0]) }
            let (whole, header) = (decoded.image, decoded.header)
            let selected = try ExrImage.selectChannels(header, layer: layer) { kind, reason, channel in
                PlateIOError(kind, file: url.path, part: ExrImage.partLabel(index, header), channel: channel, reason: reason)
            }
            var result: SourceFrame
            if selected.allSatisfy({ whole.channelIndex($0.fileName) != nil }) {
                let chosen = whole.selecting(selected.map(\.fileName))
                result = SourceFrame(image: ImageBuffer(width: chosen.width, height: chosen.height, channels: selected.map(\.outputName),
                                                        planes: chosen.planes), header: header)
                result.image = try rgb(result.image, file: url.path, fail: fail)
            } else {
                // Luminance/chroma (Y, RY, BY) come converted to R, G, B, as a plain frame reads them;
                // the part is written back as R, G, B(, A) and the other parts still go through.
                result = try decode(url, frame: frame, part: part, layer: layer)
            }
            result.parts = parts
            result.partIndex = index
            result.layer = layer
            return result
        } catch let error as FrameSourceError {
            throw error
        } catch {
            throw fail("\(error)")
        }
    }

    /// R, G, B first; a luminance-only image as grey (as OpenEXR's RGBA interface reads it).
    static func rgb(_ image: ImageBuffer, file: String, fail: (String) -> FrameSourceError) throws -> ImageBuffer {
        if ["R", "G", "B"].allSatisfy({ image.channelIndex($0) != nil }) { return image }
        guard let y = image.channelIndex("Y") else {
            let missing = ["R", "G", "B"].first { image.channelIndex($0) == nil }!
            throw fail("\(file) has no channel \(missing) (channels: \(image.channelNames.joined(separator: ", ")))")
        }
        let others = image.channelNames.indices.filter { $0 != y }
        return ImageBuffer(width: image.width, height: image.height, channels: ["R", "G", "B"] + others.map { image.channelNames[$0] },
                           planes: Array(repeating: image.planes[y], count: 3) + others.map { image.planes[$0] })
    }
}
