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

    /// Runs `write` on a temporary path and renames the result onto `url`; removes the temporary on
    /// error. Foundation's file errors (a full disk, no permission) become a `FileError` naming `url`.
    public static func write(to url: URL, _ write: (URL) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw FileError(.write, url.path, error)
        }
        let temp = temporaryURL(beside: url)
        do {
            try write(WriteFaults.failing(url) ? WriteFaults.fullDevice : temp)
            if rename(temp.path, url.path) != 0 {
                throw FileError(.write, url.path, reason: "cannot rename \(temp.lastPathComponent) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw ErrorText.isFoundation(error) ? FileError(.write, url.path, error) : error
        }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { temp in try data.write(to: temp) }
    }
}

/// Test-only fault injection: `PLATESWAP_TEST_FAIL_WRITES=report.json,tracks.json` sends every
/// atomic write of a file with one of these names to /dev/full, so tests see a real "No space left
/// on device" from the system without a full disk. Unset in normal use.
enum WriteFaults {
    static let fullDevice = URL(fileURLWithPath: "/dev/full")
    static let names: Set<String> = Set((ProcessInfo.processInfo.environment["PLATESWAP_TEST_FAIL_WRITES"] ?? "")
        .split(separator: ",").map(String.init))

    static func failing(_ url: URL) -> Bool { !names.isEmpty && names.contains(url.lastPathComponent) }
}
