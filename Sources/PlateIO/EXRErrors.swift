import Foundation

/// A plate input/output failure. Its description names the file, and where known the part, channel
/// and frame, then the reason: `plate.1001.exr part "beauty": channel Z: ...`.
public struct PlateIOError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: String, Sendable {
        /// The file does not exist or cannot be opened.
        case notFound
        /// Not a file of the expected format (bad magic, wrong version, empty).
        case notRecognized
        /// Valid, but uses something plateswap does not handle (deep data, HTJ2K, ...).
        case unsupported
        /// Damaged: truncated, inconsistent header, bad chunk.
        case corrupt
        /// Would need more memory than the configured limit.
        case tooLarge
        /// The caller asked for something the file does not have (part, layer, channel) or passed bad input.
        case invalidRequest
        /// Writing failed.
        case writeFailed
    }

    public var kind: Kind
    public var file: String
    public var part: String?
    public var channel: String?
    public var frame: Int?
    public var reason: String

    public init(_ kind: Kind, file: String, part: String? = nil, channel: String? = nil, frame: Int? = nil,
                reason: String) {
        self.kind = kind
        self.file = file
        self.part = part
        self.channel = channel
        self.frame = frame
        self.reason = reason
    }

    public var description: String {
        var text = file
        if let frame { text += " frame \(frame)" }
        if let part { text += " part \(part)" }
        if let channel { text += " channel \(channel)" }
        return text + ": " + reason
    }

    public var errorDescription: String? { description }
}
