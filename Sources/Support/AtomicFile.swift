import Foundation

/// Writes files so that no partial file ever carries the final name: the data goes to a hidden
/// temporary file in the same folder, which is then renamed over the destination.
public enum AtomicFile {
    /// A temporary path beside `url` (same folder, so the rename is atomic).
    public static func temporaryURL(beside url: URL) -> URL {
        let name = ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        return url.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Removes temporaries of `url` left by a writer that was killed before its rename (a run
    /// that is about to write `url` again calls this, so a killed run leaves nothing behind).
    public static func removeTemporaries(beside url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Runs `write` on a temporary path and renames the result onto `url`; removes the temporary on error.
    public static func write(to url: URL, _ write: (URL) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temp = temporaryURL(beside: url)
        do {
            try write(temp)
            if rename(temp.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path,
                    NSLocalizedDescriptionKey: "cannot rename \(temp.path) to \(url.path): \(String(cString: strerror(errno)))"])
            }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { temp in try data.write(to: temp) }
    }
}
