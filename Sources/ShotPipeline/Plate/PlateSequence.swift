import Foundation
import Imaging
import PlateIO
import Support

/// One plate frame: the chosen layer's pixels and the header the output frame keeps (PlateIO's
/// `SourceFrame`).
public typealias PlateFrame = SourceFrame

/// The plate of a shot: PlateIO's `FrameSource` (the one reader `run`, `track`, `extract` and
/// `detect` share) opened with the shot's plate keys, its errors in the shot's terms: problems of
/// the plate as a whole are `PipelineError.configuration` naming the key, unreadable frames
/// `PipelineError.frame`. Frames are read one at a time; a movie's decoder stays open between them.
public final class PlateSequence {
    /// Frames the shot covers (shot.yaml `plate.frames`, or every frame found).
    public let frames: [Int]
    /// Frames per second: shot.yaml `plate.frame_rate`, else the plate's own, else 24.
    public var frameRate: Double { source.frameRate }
    /// The plate path as configured (for messages).
    public let path: String
    /// The colour space of the pixels: plate.colorspace, else the plate's own tags (`PlateColorRules`).
    public var colorSpace: NamedColorSpace { source.colorSpace }
    /// How the pixels become network RGB and back.
    public var encoding: NetworkEncoding { source.encoding }
    public let source: FrameSource

    public init(_ config: ShotConfig) throws {
        let plate = config.plate
        path = plate.path.path
        var options = FrameSource.Options()
        options.part = plate.part.map { ExrPartSelector(parsing: $0) }
        options.layer = plate.layer
        options.colorspace = plate.colorspace
        options.names = config.colour.names
        options.chromaticities = plate.chromaticities
        options.movieFirstFrame = plate.firstFrame
        options.frameRate = plate.frameRate
        do {
            source = try FrameSource(path: path, options: options)
        } catch let error as FrameSourceError {
            throw PipelineError.configuration("plate.path: \(error.reason)")
        } catch let error as PlateColorMismatch {
            throw PipelineError.configuration(error.description)
        } catch let error as PlateColorTagError {
            throw PipelineError.configuration(error.description)
        } catch let error as ColorError {
            throw PipelineError.configuration("plate.colorspace: \(error)")
        }
        if let movie = source.movieFrames, movie.isCutShort {
            Log.warning("plate.path: \(path) is cut short: its index lists \(movie.listed) frames (\(movie.first)-\(movie.first + movie.listed - 1)) but only \(movie.data) are in the file")
        }
        frames = plate.frames ?? source.available
    }

    /// The file holding `frame` (the movie for every frame of a movie).
    public func file(frame: Int) -> String { source.file(frame: frame) }

    /// Reads one frame. Every failure (missing, truncated or corrupt file, a frame past the end of
    /// a movie, no R/G/B channels) is a `PipelineError.frame` naming the file. `everything`: an EXR
    /// frame also brings every part and channel, for the output to write through.
    public func read(frame: Int, everything: Bool = false) throws -> PlateFrame {
        do {
            return try source.read(frame: frame, everything: everything)
        } catch let error as FrameSourceError {
            throw PipelineError.frame(frame, error.reason)
        } catch {
            throw PipelineError.frame(frame, "\(error)")
        }
    }
}
