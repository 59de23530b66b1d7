import Foundation

/// Writes files so that no partial file ever carries the final name: the data goes to a hidden
/// temporary file in the same folder, which is then renamed over the destination.
///
/// A temporary is named `.NAME.tmp-PID-RANDOM@HOST` after its writer, so a later run can tell a
/// stale one (its writer is dead) from one still being written (`removeStaleTemporaries`).
public enum AtomicFile {
    /// A temporary path beside `url` (same folder, so the rename is atomic).
    public static func temporaryURL(beside url: URL) -> URL {
        let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))@\(TemporaryOwner.host)"
        return url.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Removes temporaries of `url` left by a writer that died before its rename (a run that is
    /// about to write `url` again calls this); one whose writer is alive stays.
    public static func removeTemporaries(beside url: URL) {
        let prefix = ".\(url.lastPathComponent).tmp-"
        removeStale(in: url.deletingLastPathComponent()) { $0.hasPrefix(prefix) }
    }

    /// Removes every stale temporary in `folders` (not below them): run, track, extract and train
    /// call it on their output folders at start, so a killed run's leftovers go even when their
    /// file is not written again. Returns the paths removed.
    @discardableResult
    public static func removeStaleTemporaries(in folders: [URL]) -> [String] {
        var removed: [String] = []
        for folder in Set(folders.map(\.standardizedFileURL)) { removed += removeStale(in: folder) { _ in true } }
        return removed
    }

    @discardableResult
    private static func removeStale(in folder: URL, where matches: (String) -> Bool) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var removed: [String] = []
        for name in names where matches(name) {
            let file = folder.appendingPathComponent(name)
            guard let owner = TemporaryOwner(name: name), owner.isGone(file: file.path) else { continue }
            if (try? FileManager.default.removeItem(at: file)) != nil { removed.append(file.path) }
        }
        return removed
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

/// The writer a temporary's name records: `.NAME.tmp-PID-RANDOM` (older plateswap) or
/// `.NAME.tmp-PID-RANDOM@HOST`.
struct TemporaryOwner: Equatable {
    let pid: pid_t
    /// nil in names written before the host was recorded (taken to be this host).
    let host: String?

    /// A writer on another host cannot be asked whether it lives (a farm's nodes share output
    /// folders): its temporary goes only when nothing has touched it for this long.
    static let foreignAge: TimeInterval = 24 * 3600

    /// This machine's name as it goes into temporaries' names (letters, digits, `.`, `-`, `_`).
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : ""
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        let safe = String(name.map { allowed.contains($0) ? $0 : "_" }.prefix(64))
        return safe.isEmpty ? "localhost" : safe
    }()

    /// Parses a temporary's name; nil for any other file.
    init?(name: String) {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards),
              marker.lowerBound > name.index(after: name.startIndex) else { return nil }
        let tail = name[marker.upperBound...]
        let owner = tail.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = owner[0].split(separator: "-", omittingEmptySubsequences: false)
        guard numbers.count == 2, let pid = pid_t(numbers[0]), pid > 0, UInt32(numbers[1]) != nil else { return nil }
        if owner.count == 2 && owner[1].isEmpty { return nil }
        self.pid = pid
        host = owner.count == 2 ? String(owner[1]) : nil
    }

    /// True when the writer is gone: on this host, no process has its PID (`kill(pid, 0)` fails
    /// with ESRCH; EPERM means a process of another user has it, which counts as alive); on
    /// another host, the file has not been modified for `foreignAge`.
    func isGone(file: String) -> Bool {
        if host == nil || host == Self.host {
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date else { return false }
        return Date().timeIntervalSince(modified) > Self.foreignAge
    }
}
