import Foundation
import Imaging
import PlateIO
import Support

/// One plate frame: the data window's pixels (R, G, B, and A when the plate has it) and the header
/// the output frame keeps (windows and attributes).
public struct PlateFrame {
    public var image: ImageBuffer
    public var header: ExrHeader

    /// Absolute position of the buffer's top-left pixel (the data window's min corner).
    public var origin: (x: Int, y: Int) { (header.dataWindow.xMin, header.dataWindow.yMin) }
}

/// The plate of a shot: an EXR sequence, a PNG/DPX/TIFF/JPEG sequence, or a movie (ProRes,
/// H.264, ... read with frame-accurate seeks, so a chunk may start mid-clip). Frames are read one
/// at a time; a movie's decoder stays open between consecutive frames.
public final class PlateSequence {
    enum Source {
        case exr(SequencePattern, part: ExrPartSelector, layer: String)
        case images(SequenceReader)
        /// `firstFrame` is the shot frame number of the movie's frame 0; `frameCount` frames have
        /// data, `listed` (more when the file is cut short) are in the container's index.
        case movie(MovieReader, firstFrame: Int, frameCount: Int, listed: Int)
    }

    /// Frames the shot covers (shot.yaml `plate.frames`, or every frame found).
    public let frames: [Int]
    /// Frames per second: shot.yaml `plate.frame_rate`, else the plate's own, else 24.
    public let frameRate: Double
    /// The plate path as configured (for messages).
    public let path: String
    /// The colour space of the pixels: plate.colorspace, else the plate's own tags (`PlateColorRules`).
    public let colorSpace: NamedColorSpace
    /// How the pixels become network RGB and back.
    public let encoding: NetworkEncoding
    let source: Source

    public init(_ config: ShotConfig) throws {
        let plate = config.plate
        path = plate.path.path
        let found: [Int]
        var evidence = PlateColorRules.Evidence.image
        var ownRate: (numerator: Int, denominator: Int)?
        if SequencePattern.hasFrameToken(path) {
            let pattern = try SequencePattern(path)
            let ext = plate.path.pathExtension.lowercased()
            if ext == "exr" {
                source = .exr(pattern, part: ExrPartSelector(parsing: plate.part), layer: plate.layer)
            } else if SequenceReader.canRead(pattern) {
                source = .images(SequenceReader(pattern: pattern))
            } else {
                throw PipelineError.configuration("plate.path: '.\(ext)' sequences are not supported (exr, png, dpx, tif, tiff, jpg, jpeg)")
            }
            do { found = try pattern.framesOnDisk() } catch { throw PipelineError.configuration("plate.path: \(error)") }
            // Frames listed in plate.frames but none on disk is a wrong path, not frames that failed.
            if found.isEmpty { throw PipelineError.configuration("plate.path: no plate frames match \(path)") }
            let firstHeader = ext == "exr" ? (try? ExrImage.headers(of: pattern.url(frame: found[0])))?.first : nil
            if case .exr = source, case let .rational(n, d)? = firstHeader?.attributes["framesPerSecond"], n > 0, d > 0 {
                ownRate = (Int(n), Int(d))
            }
            if case .exr = source, let firstHeader {
                evidence = .exr(firstHeader)
            } else if ext == "png" {
                evidence = .png(PNGColorTags.read(pattern.url(frame: found[0])))
            } else {
                evidence = .image
            }
        } else {
            guard plate.path.pathExtension.lowercased() != "exr" else {
                throw PipelineError.configuration("plate.path: an EXR plate needs a frame pattern such as plate.####.exr")
            }
            let reader: MovieReader
            let count: Int
            do {
                reader = try MovieReader(url: plate.path)
                count = try MovieInfo.probe(plate.path, countFrames: true).frameCount
            } catch {
                throw PipelineError.configuration("plate.path: \(error)")
            }
            // A truncated movie's lost frames stay in the shot, so they fail loudly instead of
            // silently shortening it.
            let listed = max(count, reader.indexedFrameCount ?? 0)
            if listed > count {
                Log.warning("plate.path: \(reader.file) is cut short: its index lists \(listed) frames (\(plate.firstFrame)-\(plate.firstFrame + listed - 1)) but only \(count) are in the file")
            }
            source = .movie(reader, firstFrame: plate.firstFrame, frameCount: count, listed: listed)
            found = Array(plate.firstFrame..<(plate.firstFrame + listed))
            ownRate = (reader.info.frameRateNumerator, reader.info.frameRateDenominator)
            evidence = .movie(transfer: reader.info.colorTransfer)
        }
        do {
            colorSpace = try PlateColorRules.space(declared: plate.colorspace, evidence: evidence, names: config.colour.names,
                                                   file: Self.file(source, frame: found.first ?? plate.firstFrame), policy: plate.chromaticities)
            encoding = try NetworkEncoding(plate: colorSpace)
        } catch let error as PlateColorMismatch {
            throw PipelineError.configuration(error.description)
        } catch let error as ColorError {
            throw PipelineError.configuration("plate.colorspace: \(error)")
        }
        frames = plate.frames ?? found
        frameRate = plate.frameRate ?? ownRate.map { Double($0.numerator) / Double($0.denominator) } ?? 24
    }

    /// The file holding `frame` (the movie for every frame of a movie).
    public func file(frame: Int) -> String { Self.file(source, frame: frame) }

    private static func file(_ source: Source, frame: Int) -> String {
        switch source {
        case let .exr(pattern, _, _): return pattern.path(frame: frame)
        case let .images(reader): return reader.pattern.path(frame: frame)
        case let .movie(reader, _, _, _): return reader.file
        }
    }

    /// Reads one frame. Every failure (missing, truncated or corrupt file, a frame past the end of
    /// a movie, no R/G/B channels) is a `PipelineError.frame` naming the file.
    public func read(frame: Int) throws -> PlateFrame {
        let file = file(frame: frame)
        if case .movie = source {} else if !FileManager.default.fileExists(atPath: file) {
            throw PipelineError.frame(frame, "plate frame \(file) is missing")
        }
        let result: PlateFrame
        do {
            result = try readFrame(frame)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.frame(frame, "\(error)")
        }
        for name in ["R", "G", "B"] where result.image.channelIndex(name) == nil {
            throw PipelineError.frame(frame, "\(file) has no channel \(name) (channels: \(result.image.channelNames.joined(separator: ", ")))")
        }
        return result
    }

    private func readFrame(_ frame: Int) throws -> PlateFrame {
        switch source {
        case let .exr(pattern, part, layer):
            let (image, header) = try ExrImage.read(pattern.url(frame: frame), part: part, layer: layer)
            return PlateFrame(image: image, header: header)
        case let .images(reader):
            return PlateFrame(image: try reader.read(frame: frame), rate: frameRate)
        case let .movie(reader, firstFrame, count, listed):
            let index = frame - firstFrame
            guard index >= 0, index < listed else {
                throw PipelineError.frame(frame, "\(reader.file) has frames \(firstFrame)-\(firstFrame + listed - 1) (plate.first_frame \(firstFrame))")
            }
            guard index < count else {
                let end = count > 0 ? "its data ends at frame \(firstFrame + count - 1)" : "it holds no frame data"
                throw PipelineError.frame(frame, "\(reader.file) is cut short: \(end), though its index lists frames up to \(firstFrame + listed - 1)")
            }
            do {
                return PlateFrame(image: try reader.read(frame: index), rate: frameRate)
            } catch let error as MediaError {
                throw PipelineError.frame(frame, Self.movieReason(error))
            }
        }
    }

    /// A movie read error in the shot's terms: the frame is the shot's (the caller's), so the
    /// decoder's own 0-based numbers, which after a truncation may name the wrong frame or one
    /// past the end, are left out.
    static func movieReason(_ error: MediaError) -> String {
        "\(error.file): this frame cannot be decoded (\(error.stage): \(error.reason))"
    }
}

extension PlateFrame {
    /// A frame of a plate without an EXR header: data = display window at (0, 0), and the rate.
    init(image: ImageBuffer, rate: Double) {
        self.image = image
        let (numerator, denominator) = Self.rational(rate)
        header = ExrHeader(dataWindow: PixelBox(width: image.width, height: image.height),
                           attributes: ["framesPerSecond": .rational(numerator: numerator, denominator: denominator)])
    }

    /// The EXR `framesPerSecond` of a rate: 24 -> 24/1, 29.97 -> 30000/1001, else thousandths.
    static func rational(_ rate: Double) -> (Int32, UInt32) {
        for denominator in [1, 1001, 1000] as [UInt32] {
            let numerator = (rate * Double(denominator)).rounded()
            if abs(numerator / Double(denominator) - rate) <= rate * 1e-5 { return (Int32(numerator), denominator) }
        }
        return (Int32((rate * 1000).rounded()), 1000)
    }
}
