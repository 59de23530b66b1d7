import Foundation
import Neural
import Support

/// The farm's `track` step on its own (`plateswap track`): detect, landmark and smooth the shot's
/// faces into tracks.json (written atomically), so the swap chunks only read it.
public enum TrackStage {
    public enum Outcome: Equatable {
        /// tracks.json was written.
        case tracked(frames: Int)
        /// tracks.json was already there and matches the plate and settings (and `force` was off).
        case existing
    }

    /// Tracks every frame of the shot unless tracks.json exists and is up to date (`ShotTracks`);
    /// `force` tracks again and replaces it (the old file stays until the new one is complete).
    public static func run(_ config: ShotConfig, force: Bool = false, searchPath: ModelSearchPath = .standard()) throws -> Outcome {
        try InputGuard.checkShot(config)
        StaleTemporaries.remove(in: [config.output.tracks.deletingLastPathComponent()])
        let plate = try PlateSequence(config)
        let tracks = try ShotTracks(shot: config, plate: plate, force: force, searchPath: searchPath)
        return tracks.trackedNow ? .tracked(frames: plate.frames.count) : .existing
    }
}
