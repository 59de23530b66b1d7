import Foundation
import Support

/// What stops `plateswap train` before or while training (configuration problems are `ConfigError`s);
/// exit status 2, as bad input.
public enum TrainRunError: ExitStatusError, LocalizedError {
    /// A face set file (named) is missing or unusable.
    case badFaceSet(String, String)
    /// The model directory and train.yaml (or the face sets) do not fit together.
    case mismatch(String)

    public var description: String {
        switch self {
        case let .badFaceSet(file, reason): return "\(file): \(reason)"
        case let .mismatch(reason): return reason
        }
    }

    public var errorDescription: String? { description }
    public var exitStatus: Int32 { ExitStatus.badInput }
}
