import Foundation
import Neural
import Support

/// The farm's `track` step on its own (`plateswap track`): detect, landmark and smooth the shot's
/// faces into tracks.json (written atomically), so the swap chunks only read it.
public enum TrackStage {
    public enum Outcome: Equatable {
        /// tracks.json was written.
        case tracked(frames: Int)
        /// tracks.json was already there (and `force` was off).
        case existing
    }

    /// Tracks every frame of the shot unless tracks.json exists; `force` tracks again and replaces
    /// it (the old file stays until the new one is complete).
    public static func run(_ config: ShotConfig, force: Bool = false, searchPath: ModelSearchPath = .standard()) throws -> Outcome {
        let url = config.output.tracks
        try InputGuard.checkShot(config)
        if !force && FileManager.default.fileExists(atPath: url.path) { return .existing }
        let plate = try PlateSequence(config)
        let document = try TrackedFaceProvider.track(shot: config, plate: plate, frames: plate.frames, searchPath: searchPath)
        try AtomicFile.write(try document.encoded(), to: url)
        return .tracked(frames: plate.frames.count)
    }
}
