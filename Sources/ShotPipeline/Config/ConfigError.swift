import Foundation
import Support

/// A problem with a shot.yaml / train.yaml: where it is (file, line, key path) and what is wrong.
///
/// Printed as `shot.yaml:12: output.compression: unknown value 'zipp' (expected one of none, rle, ...)`.
/// Exit status 2 (bad configuration).
public struct ConfigError: ExitStatusError, LocalizedError, Equatable {
    public let file: String
    /// 1-based line, 0 when unknown (e.g. the file cannot be read).
    public let line: Int
    /// Dotted key path such as `output.compression`; empty for the document itself.
    public let keyPath: String
    public let message: String

    public init(file: String, line: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var text = file
        if line > 0 { text += ":\(line)" }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }

    public var errorDescription: String? { description }
    public var exitStatus: Int32 { ExitStatus.badInput }
}
