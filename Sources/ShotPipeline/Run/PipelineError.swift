import Foundation
import Support

/// Errors of a run that are not about one frame's data.
public enum PipelineError: ExitStatusError, LocalizedError {
    /// Bad configuration found after loading the yaml (exit code 2).
    case configuration(String)
    case unsupported(String)
    /// A frame failed; `frame` and the underlying reason (exit code 1).
    case frame(Int, String)

    public var description: String {
        switch self {
        case let .configuration(text): return text
        case let .unsupported(text): return text
        case let .frame(frame, reason): return "frame \(frame): \(reason)"
        }
    }

    public var errorDescription: String? { description }

    public var exitStatus: Int32 {
        if case .frame = self { return ExitStatus.failed }
        return ExitStatus.badInput
    }

    /// What went wrong, without the frame number (for messages that already name the frame).
    public var reason: String {
        if case let .frame(_, reason) = self { return reason }
        return description
    }
}
