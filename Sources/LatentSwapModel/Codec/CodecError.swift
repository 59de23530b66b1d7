import Foundation

/// Why a codec could not be loaded or run. Every case names the file and the field at fault.
public enum CodecError: Error, CustomStringConvertible, Equatable {
    /// A weight the network needs is not in the file.
    case missingWeight(file: String, key: String)
    /// A weight has another shape than the architecture (or the config) implies.
    case weightShape(file: String, key: String, expected: [Int], found: [Int])
    /// The config file is unreadable or a field is missing or out of range.
    case badConfig(file: String, field: String, reason: String)
    /// The weights do not look like the codec they were given as.
    case unrecognisedWeights(file: String, reason: String)
    /// The tensor handed to encode/decode has the wrong shape.
    case badInput(what: String, expected: String, found: [Int])
    /// A file given on the command line or found on disk cannot be used.
    case badFile(file: String, reason: String)

    public var description: String {
        switch self {
        case let .missingWeight(file, key):
            return "\(file): weight '\(key)' is missing"
        case let .weightShape(file, key, expected, found):
            return "\(file): weight '\(key)' has shape \(found), expected \(expected)"
        case let .badConfig(file, field, reason):
            return "\(file): config field '\(field)': \(reason)"
        case let .unrecognisedWeights(file, reason):
            return "\(file): not codec weights: \(reason)"
        case let .badInput(what, expected, found):
            return "\(what): expected \(expected), got shape \(found)"
        case let .badFile(file, reason):
            return "\(file): \(reason)"
        }
    }
}
