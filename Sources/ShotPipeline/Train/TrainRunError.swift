import Foundation

/// What stops `plateswap train` before or while training (configuration problems are `ConfigError`s).
public enum TrainRunError: Error, CustomStringConvertible, LocalizedError {
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
}
