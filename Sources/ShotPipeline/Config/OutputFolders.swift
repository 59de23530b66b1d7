import Foundation
import Support

/// Every folder a command writes into must exist as a writable folder, or be creatable inside
/// one, before any slow work starts: found after tracking, an unwritable folder cost the tracking
/// and surfaced as a raw Foundation error (issue 16).
public enum OutputFolders {
    /// Throws `OutputFolderError` for the first output whose folder cannot be written.
    public static func check(_ outputs: [InputGuard.File]) throws {
        var seen = Set<String>()
        for output in outputs {
            let folder = output.url.deletingLastPathComponent().path
            guard seen.insert(folder).inserted, let reason = problem(folder) else { continue }
            throw OutputFolderError(output: output, reason: reason)
        }
    }

    /// Why files cannot be made in `folder`, or nil: its nearest existing ancestor must be a
    /// writable folder (root passes permission checks, but not a read-only file system).
    static func problem(_ folder: String) -> String? {
        var path = folder
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard path != "/", !path.isEmpty else { return "no folder above it exists" }
            path = (path as NSString).deletingLastPathComponent
        }
        guard isDirectory.boolValue else { return "\(path) is a file, not a folder" }
        guard access(path, W_OK | X_OK) == 0 else {
            return "the folder \(path) is not writable (\(String(cString: strerror(errno))))"
        }
        return nil
    }
}

/// An output whose folder cannot be written (exit status 2: nothing was written).
public struct OutputFolderError: ExitStatusError, LocalizedError {
    public let output: InputGuard.File
    public let reason: String

    public var description: String { "\(output.role): cannot write \(output.url.path): \(reason)" }
    public var errorDescription: String? { description }
    public var exitStatus: Int32 { ExitStatus.badInput }
}
