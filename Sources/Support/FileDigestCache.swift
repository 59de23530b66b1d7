import Foundation

/// The sha256 of large files that rarely change (codec weights), remembered with the file's size
/// and modification time, so that a farm task does not hash 335 MB again: a file whose size and
/// time match its entry is not read at all, any other file is hashed and its entry rewritten.
///
/// The entry sits next to the file (`.NAME.sha256.json`), where every machine that shares the
/// weights folder finds it. A folder without write permission (e.g. `../shared/models`, even for
/// root) is never written: its entries go to the user's cache folder,
/// `$XDG_CACHE_HOME/plateswap/sha256` or `~/.cache/plateswap/sha256`, named after the file's path.
public struct FileDigestCache: Sendable {
    /// Where entries of files in read-only folders go.
    public var userFolder: URL

    public init(userFolder: URL = FileDigestCache.defaultUserFolder()) {
        self.userFolder = userFolder
    }

    public static func defaultUserFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("plateswap/sha256")
    }

    /// What an entry holds: the digest and the file state it was computed from.
    struct Entry: Codable, Equatable {
        var file: String
        var size: Int64
        /// Modification time in nanoseconds since 1970.
        var mtimeNanoseconds: Int64
        var sha256: String
    }

    /// The file's sha256 (64 hex digits), from its entry when size and time still match.
    public func sha256(of url: URL) throws -> String {
        let file = url.standardizedFileURL.resolvingSymlinksInPath()
        guard let state = Self.state(of: file) else { return try SHA256.hex(fileAt: file) }
        let places = entryURLs(for: file)
        for place in places {
            if let entry = try? JSONDecoder().decode(Entry.self, from: Data(contentsOf: place)),
               entry.size == state.size, entry.mtimeNanoseconds == state.mtime, entry.sha256.count == 64 {
                return entry.sha256
            }
        }
        let digest = try SHA256.hex(fileAt: file)
        // A file changed while it was hashed gets no entry: the digest may mix two versions.
        if let after = Self.state(of: file), after == state {
            let entry = Entry(file: file.path, size: state.size, mtimeNanoseconds: state.mtime, sha256: digest)
            let place = Self.isWritableFolder(file.deletingLastPathComponent()) ? places[0] : places[1]
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                try AtomicFile.write(try encoder.encode(entry), to: place)
            } catch {
                Log.debug("cannot remember the sha256 of \(file.path) in \(place.path): \(error)")
            }
        }
        return digest
    }

    /// The entry beside the file, then the one in the user's cache folder.
    func entryURLs(for file: URL) -> [URL] {
        let beside = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).sha256.json")
        let key = SHA256.hex(file.path).prefix(32)
        return [beside, userFolder.appendingPathComponent("\(file.lastPathComponent)-\(key).json")]
    }

    static func state(of file: URL) -> (size: Int64, mtime: Int64)? {
        var info = stat()
        guard stat(file.path, &info) == 0 else { return nil }
        #if os(macOS)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return (Int64(info.st_size), Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    /// Root may write into any folder; one without any write permission bit is read-only by intent
    /// (shared data), so its permissions, not only `access(2)`, decide.
    static func isWritableFolder(_ folder: URL) -> Bool {
        var info = stat()
        guard stat(folder.path, &info) == 0, info.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH) != 0 else { return false }
        return access(folder.path, W_OK) == 0
    }
}
