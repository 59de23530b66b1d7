import Foundation
import Support

/// Inputs are read-only to plateswap: before a command writes anything, every file it could write
/// is compared with every file it reads, as the file system sees them. Two spellings name the same
/// file when they reach the same device and inode (symlinks, `..`, hard links, `plate.####.exr` vs
/// `plate.%04d.exr` vs `plate.$F4.exr` once expanded per frame), or, for a file that does not exist
/// yet, the same name in the same folder (the folder by device and inode). Text comparison of paths
/// cannot see any of these.
public struct InputGuard {
    /// A file as the command knows it: the path it uses and what it is, for messages.
    public struct File {
        public let url: URL
        public let role: String

        public init(_ url: URL, _ role: String) {
            self.url = url
            self.role = role
        }
    }

    private var byFile: [DiskIdentity: File] = [:]
    private var byEntry: [DiskEntry: File] = [:]

    public init() {}

    public mutating func addInput(_ url: URL, role: String) {
        let place = DiskPlace(url)
        let file = File(url, role)
        if let id = place.file, byFile[id] == nil { byFile[id] = file }
        if byEntry[place.entry] == nil { byEntry[place.entry] = file }
    }

    /// Every file under `folder` (a model directory), up to `limit` files.
    public mutating func addInputs(under folder: URL, role: String, limit: Int = 100_000) {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        var count = 0
        for case let url as URL in walker where count < limit {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            addInput(url, role: role)
            count += 1
        }
    }

    /// Throws when writing `url` could replace or change one of the inputs.
    public func check(output url: URL, role: String) throws {
        let place = DiskPlace(url)
        if let id = place.file, let input = byFile[id] {
            throw InputGuardError(output: File(url, role), input: input,
                                  reason: url.path == input.url.path ? "the same path" : "the same file on disk")
        }
        if let input = byEntry[place.entry] {
            throw InputGuardError(output: File(url, role), input: input, reason: "the same name in the same folder")
        }
    }

    public func check(outputs: [File]) throws {
        for output in outputs { try check(output: output.url, role: output.role) }
    }

    /// For writers whose file names are not known in advance (a face set's `faces/NNNNNN.png`):
    /// throws when an input's name in `folder` passes `writes`, or when a file in `folder` whose
    /// name passes `writes` is an input under another name (a hard link or a symlink).
    public func check(folder: URL, role: String, writes: (String) -> Bool) throws {
        guard let folderID = DiskIdentity(folder.path) else { return }
        let named = byEntry.filter { $0.key.folder == .existing(folderID) && writes($0.key.name) }
        if let first = named.min(by: { $0.key.name < $1.key.name }) {
            throw InputGuardError(output: File(folder.appendingPathComponent(first.key.name), role), input: first.value,
                                  reason: "the same name in the same folder")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where writes(name) {
            let url = folder.appendingPathComponent(name)
            if let id = DiskIdentity(url.path), let input = byFile[id] {
                throw InputGuardError(output: File(url, role), input: input, reason: "the same file on disk")
            }
        }
    }
}

/// An output that would land on an input (exit status 2: nothing was written).
public struct InputGuardError: ExitStatusError, LocalizedError {
    public let output: InputGuard.File
    public let input: InputGuard.File
    /// How the two paths meet (the same file on disk, the same name in the same folder, ...).
    public let reason: String

    public init(output: InputGuard.File, input: InputGuard.File, reason: String) {
        self.output = output
        self.input = input
        self.reason = reason
    }

    public var description: String {
        "\(output.role) \(output.url.path) would overwrite \(input.role) \(input.url.path) (\(reason)); "
            + "plateswap never writes its inputs: choose another output path"
    }

    public var errorDescription: String? { description }
    public var exitStatus: Int32 { ExitStatus.badInput }
}

/// A file's device and inode (symlinks followed).
struct DiskIdentity: Hashable {
    let device: UInt64
    let inode: UInt64

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// A name in a folder; the folder by identity when it exists, else by its path.
struct DiskEntry: Hashable {
    enum Folder: Hashable {
        case existing(DiskIdentity)
        case planned(String)
    }

    let folder: Folder
    let name: String
}

/// Where a path lands: the file it names (when it exists) and its directory entry.
struct DiskPlace {
    let file: DiskIdentity?
    let entry: DiskEntry

    init(_ url: URL) {
        let folder = url.deletingLastPathComponent().path
        file = DiskIdentity(url.path)
        entry = DiskEntry(folder: DiskIdentity(folder).map { .existing($0) } ?? .planned(folder), name: url.lastPathComponent)
    }
}
