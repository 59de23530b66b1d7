import ArgumentParser
import Foundation
import ShotPipeline
import Support

/// `plateswap track shot.yaml [--force]`: only the tracking stage (the farm's first step).
struct TrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Track the faces of a shot into tracks.json (output.tracks) without swapping.",
        discussion: """
            Runs the detector and landmarker over every frame of the shot, smooths the tracks and writes \
            tracks.json atomically. Does nothing when tracks.json exists and matches the plate and the tracking settings, unless --force. \
            Exit codes: 0 done, 1 failed, 2 bad configuration.
            """)

    @Argument(help: "The shot.yaml file.")
    var shot: String

    @Flag(name: .long, help: "Track again and replace an existing tracks.json.")
    var force = false

    func run() throws {
        OpenJDMessages.enabled = OpenJDMessages.inSession()
        let config = try ShotCommandInput.loadShot(shot)
        switch try TrackStage.run(config, force: force) {
        case .existing: Log.info("\(config.output.tracks.path) is up to date with the plate and settings; nothing to do (--force tracks again)")
        case let .tracked(frames): Log.info("tracked \(frames) frame(s) into \(config.output.tracks.path)")
        }
    }
}
