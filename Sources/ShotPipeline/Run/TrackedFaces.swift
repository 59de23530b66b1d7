import FaceAlign
import Foundation
import Neural
import Support

/// A run's faces from the shot's tracks (`ShotTracks`: tracks.json, made by tracking the plate
/// first when it is missing or does not match the plate and settings as they are now).
public struct TrackedFaces: FaceSource {
    public let searchPath: ModelSearchPath
    public let stop: StopSignals

    public init(searchPath: ModelSearchPath = .standard(), stop: StopSignals = .shared) {
        self.searchPath = searchPath
        self.stop = stop
    }

    public func open(shot: ShotConfig, plate: PlateSequence) throws -> any FaceProvider {
        try ShotTracks(shot: shot, plate: plate, searchPath: searchPath, stop: stop)
    }
}
