import Foundation
import PlateIO
import ShotPipeline

/// What the shot commands (run, track, farm, preview, quality, contact-sheet) read from their
/// arguments; their errors are configuration errors (exit status 2).
enum ShotCommandInput {
    /// A `--frames` value (e.g. 1001-1024x2) as frame numbers.
    static func frames(_ text: String) throws -> [Int] {
        do { return try FrameRange(parsing: text).frames } catch {
            throw PipelineError.configuration("--frames: \(error)")
        }
    }

    static func loadShot(_ path: String) throws -> ShotConfig {
        try ShotConfig.load(URL(fileURLWithPath: path), displayName: path)
    }
}
