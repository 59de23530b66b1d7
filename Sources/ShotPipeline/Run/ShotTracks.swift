import FaceAlign
import Foundation
import Neural
import PlateIO
import Support

/// A shot's tracks.json, never stale: it is reused only when its `source` matches the plate and
/// the tracking settings as they are now; otherwise the whole shot is tracked again (smoothing and
/// track ids depend on every frame, so re-tracking only the changed frames would not give the
/// tracks a full run gives) and a warning says why. Issue 16, item 2.
public enum ShotTracks {
    /// Names the detector, landmarker and tracker; change it when tracking itself changes, so
    /// tracks made by the old code are made again.
    static let tracker = "mtcnn+facemesh-468/1"

    /// Reads tracks.json when it is fresh, else tracks `frames` of the plate and writes it
    /// atomically; `force` tracks again in any case. `tracked` says whether it tracked now.
    public static func prepare(shot: ShotConfig, plate: PlateSequence, frames: [Int], force: Bool = false,
                               searchPath: ModelSearchPath, stop: StopSignals = .shared) throws -> (document: TracksDocument, tracked: Bool) {
        let url = shot.output.tracks
        if !force, FileManager.default.fileExists(atPath: url.path) {
            let existing: TracksDocument
            do { existing = try TracksDocument.read(from: url) } catch {
                throw PipelineError.configuration("cannot read \(url.path): \(error) (delete it to track the shot again)")
            }
            let now = source(shot: shot, plate: plate, frames: frames)
            guard let reason = staleReason(existing, now: now) else { return (existing, false) }
            Log.warning("\(url.path) is out of date: \(reason); tracking the shot again")
        }
        let document = try TrackedFaceProvider.track(shot: shot, plate: plate, frames: frames, searchPath: searchPath, stop: stop)
        AtomicFile.removeTemporaries(beside: url)
        try AtomicFile.write(try document.encoded(), to: url)
        return (document, true)
    }

    /// The plate's frames and the settings as they are now (every frame marked tracked).
    public static func source(shot: ShotConfig, plate: PlateSequence, frames: [Int]) -> TracksSource {
        TracksSource(plate: shot.plate.path.path, settings: settings(shot: shot, plate: plate),
                     frames: frames.map { fileState(frame: $0, plate: plate) })
    }

    /// Everything that changes the tracks besides the pixels: which image is read, how it is
    /// encoded for the detector, the smoothing and the rate it runs at.
    static func settings(shot: ShotConfig, plate: PlateSequence) -> [String: String] {
        ["tracker": tracker,
         // The space the plate is read in (declared, or found from its tags), as ConfigHash names it.
         "plate.colorspace": plate.colorSpace.builtIn?.rawValue ?? "\(plate.colorSpace.name) in \(plate.colorSpace.config?.path ?? "")",
         "plate.part": shot.plate.part ?? "0",
         "plate.layer": shot.plate.layer,
         "frame_rate": "\(plate.frameRate)",
         "face.smoothing": "min_cutoff \(shot.face.smoothingMinCutoff), beta \(shot.face.smoothingBeta)"]
    }

    /// Size and modification time of the file holding `frame` (nil, nil when it does not exist).
    static func fileState(frame: Int, plate: PlateSequence) -> TracksSource.Frame {
        var info = stat()
        guard stat(plate.file(frame: frame), &info) == 0 else { return TracksSource.Frame(frame: frame, size: nil, mtimeNs: nil) }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return TracksSource.Frame(frame: frame, size: Int64(info.st_size), mtimeNs: mtime)
    }

    /// Why `document` does not describe the shot as it is `now`, or nil when it does.
    public static func staleReason(_ document: TracksDocument, now: TracksSource) -> String? {
        guard document.version <= TracksDocument.currentVersion else {
            return "it was written by a newer plateswap (tracks.json version \(document.version))"
        }
        guard let then = document.source else {
            return "it does not record the plate frames and settings it was made from (tracks.json version \(document.version), written by an older plateswap)"
        }
        if then.plate != now.plate { return "the plate was \(then.plate), now \(now.plate)" }
        let changed = Set(then.settings.keys).union(now.settings.keys).sorted().filter { then.settings[$0] != now.settings[$0] }
        if let key = changed.first {
            return "tracking setting \(key) was \(then.settings[key] ?? "unset"), now \(now.settings[key] ?? "unset")"
        }
        return framesChange(then: then.frames, now: now.frames)
    }

    /// The plate frames that were added, removed, appeared or changed since tracking, or nil.
    static func framesChange(then: [TracksSource.Frame], now: [TracksSource.Frame]) -> String? {
        let old = Dictionary(then.map { ($0.frame, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Set(now.map(\.frame))
        var parts: [String] = []
        let added = now.map(\.frame).filter { old[$0] == nil }
        let removed = then.map(\.frame).filter { !new.contains($0) }
        let appeared = now.filter { old[$0.frame]?.size == nil && old[$0.frame] != nil && $0.size != nil }.map(\.frame)
        let vanished = now.filter { old[$0.frame]?.size != nil && $0.size == nil }.map(\.frame)
        let modified = now.filter { frame in
            guard let before = old[frame.frame], before.size != nil, frame.size != nil else { return false }
            return !before.sameFile(as: frame)
        }.map(\.frame)
        func say(_ frames: [Int], _ what: String) {
            guard !frames.isEmpty else { return }
            parts.append("\(frames.count == 1 ? "frame" : "frames") \(FrameRange.compact(frames)) \(what)")
        }
        say(added, "added to the shot")
        say(removed, "no longer in the shot")
        say(appeared, "missing at tracking time, on disk now")
        say(vanished, "gone from disk")
        say(modified, "replaced or modified (size or modification time differ)")
        return parts.isEmpty ? nil : "plate " + parts.joined(separator: "; ")
    }
}
