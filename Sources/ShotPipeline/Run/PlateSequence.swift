import Foundation

/// The plate's frames: numbers to process and the file of each.
public struct PlateSequence: Sendable {
    public let pattern: FramePattern
    /// Frames the shot covers (shot.yaml `plate.frames`, or every frame found on disk).
    public let frames: [Int]

    public init(_ config: ShotConfig) throws {
        guard let pattern = FramePattern(config.plate.path) else {
            throw PipelineError.unsupported("movie plates (\(config.plate.path.lastPathComponent)) are not supported yet; convert to an image sequence")
        }
        self.pattern = pattern
        if let frames = config.plate.frames {
            self.frames = frames
        } else {
            frames = pattern.framesOnDisk()
            guard !frames.isEmpty else { throw PipelineError.configuration("no plate frames match \(pattern.url.path)") }
        }
    }

    public func url(frame: Int) -> URL { pattern.url(frame: frame) }
}

/// Errors of a run that are not about one frame's data.
public enum PipelineError: Error, CustomStringConvertible, LocalizedError {
    /// Bad configuration found after loading the yaml (exit code 2).
    case configuration(String)
    case unsupported(String)
    /// A frame failed; `frame` and the underlying reason.
    case frame(Int, String)

    public var description: String {
        switch self {
        case let .configuration(text): return text
        case let .unsupported(text): return text
        case let .frame(frame, reason): return "frame \(frame): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
