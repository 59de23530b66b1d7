import Foundation
import Support

/// Start-of-command clean-up of the temporaries killed writers left in a command's output folders
/// (issue 16, item 5): those of dead processes go, those of live ones stay (`AtomicFile`).
public enum StaleTemporaries {
    /// Removes the stale temporaries in `folders` and logs how many went.
    public static func remove(in folders: [URL]) {
        let removed = AtomicFile.removeStaleTemporaries(in: folders)
        guard !removed.isEmpty else { return }
        Log.info("removed \(removed.count) temporary file(s) left by killed runs: "
            + removed.prefix(3).map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") + (removed.count > 3 ? ", ..." : ""))
    }

    /// The folders a shot writes into: output frames, report (and a chunk's), tracks, preview.
    public static func remove(shot config: ShotConfig, reportURL: URL? = nil) {
        let files = [config.output.path, config.output.report, config.output.tracks] + [reportURL, config.output.preview].compactMap { $0 }
        remove(in: files.map { $0.deletingLastPathComponent() })
    }
}
