import Foundation

/// Plain words for errors that come from Foundation (file I/O, JSON decoding), which print as
/// `Error Domain=NSCocoaErrorDomain Code=640 ...` or a `DecodingError` dump by themselves.
/// plateswap's own errors keep their description.
public enum ErrorText {
    /// One line: a Foundation file error as `path: reason`, anything else as `reason(error)`.
    public static func describe(_ error: Error) -> String {
        let bridged = error as NSError
        if isFoundation(error), bridged.domain == NSCocoaErrorDomain,
           let path = (bridged.userInfo[NSFilePathErrorKey] as? String) ?? (bridged.userInfo[NSURLErrorKey] as? URL)?.path {
            return "\(path): \(reason(error))"
        }
        return reason(error)
    }

    /// The reason alone (no path): what a caller says after naming the file itself.
    public static func reason(_ error: Error) -> String {
        if let decoding = error as? DecodingError { return describe(decoding) }
        if let posix = error as? POSIXError { return systemReason(posix.code.rawValue) }
        guard isFoundation(error) else { return "\(error)" }
        let bridged = error as NSError
        return bridged.domain == NSPOSIXErrorDomain ? systemReason(Int32(bridged.code)) : cocoaReason(bridged)
    }

    /// Whether `error` is one of Foundation's own (file system, POSIX) rather than plateswap's.
    public static func isFoundation(_ error: Error) -> Bool {
        if error is FileError || error is DecodingError { return false }
        let domain = (error as NSError).domain
        return domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
    }

    /// A Foundation file error's reason: the system's errno when it carries one, else its code in words.
    static func cocoaReason(_ error: NSError) -> String {
        let reason: String
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = systemReason(Int32(underlying.code))
        } else {
            switch CocoaError.Code(rawValue: error.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
            case .fileWriteOutOfSpace: reason = "no space left on device"
            case .fileWriteVolumeReadOnly: reason = "read-only file system"
            case .fileReadCorruptFile: reason = "damaged or not in the expected format"
            case .fileReadInapplicableStringEncoding: reason = "not text in the expected encoding"
            case .fileWriteFileExists: reason = "already exists"
            default: reason = (error.userInfo[NSLocalizedDescriptionKey] as? String) ?? "input/output error (code \(error.code))"
            }
        }
        return reason
    }

    /// A JSON file that decodes but lacks a key or has a wrong type: which key, where, what.
    public static func describe(_ error: DecodingError) -> String {
        func place(_ path: [CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case let .keyNotFound(key, context):
            let owner = place(context.codingPath)
            return "missing key '\(key.stringValue)'" + (owner.isEmpty ? "" : " in \(owner)")
        case let .valueNotFound(type, context):
            return "\(place(context.codingPath)): expected \(typeName(type)), found null"
        case let .typeMismatch(type, context):
            return "\(place(context.codingPath)): expected \(typeName(type))"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(place(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "cannot be decoded"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch "\(type)" {
        case "String": return "a string"
        case "Int", "Int32", "Int64", "UInt", "UInt32", "UInt64": return "an integer"
        case "Double", "Float": return "a number"
        case "Bool": return "true or false"
        case let name where name.hasPrefix("Array"): return "a list"
        case let name where name.hasPrefix("Dictionary"): return "an object"
        default: return "a \(type)"
        }
    }

    static func systemReason(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// A file that could not be read or written, in plain words: `cannot write /shots/a/report.json: No space left on device`.
public struct FileError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public enum Operation: String, Sendable { case read, write }
    public let operation: Operation
    public let path: String
    public let reason: String

    public init(_ operation: Operation, _ path: String, reason: String) {
        (self.operation, self.path, self.reason) = (operation, path, reason)
    }

    /// Wraps a Foundation error of reading or writing `path`, keeping only the system's reason.
    public init(_ operation: Operation, _ path: String, _ error: Error) {
        if let file = error as? FileError {
            self = file
            return
        }
        // The path is said once, in front (Foundation's may name a temporary file instead).
        self.init(operation, path, reason: ErrorText.reason(error))
    }

    public var description: String { "cannot \(operation.rawValue) \(path): \(reason)" }
    public var errorDescription: String? { description }
}
