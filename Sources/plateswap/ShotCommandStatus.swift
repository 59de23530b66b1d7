import Foundation
import PlateIO
import ShotPipeline
import Support

/// Exit codes of the shot commands (run, track, farm, preview, contact-sheet): 2 for a bad shot.yaml
/// or bad options, 1 for anything that failed while working (unreadable frame, write error).
enum ShotCommandStatus {
    static func run(_ command: String, _ body: () throws -> Void) -> Int32 {
        run(prefix: "plateswap \(command): ") { try body(); return 0 }
    }

    /// `body` returns its own status (e.g. 1 when some frames failed); errors map as above, and
    /// their log lines start with `prefix`.
    static func run(prefix: String, _ body: () throws -> Int32) -> Int32 {
        do {
            return try body()
        } catch let error as ConfigError {
            Log.error("\(error)")
            return 2
        } catch let error as any WriteRefusal {
            Log.error("\(prefix)\(error)")
            return 2
        } catch let error as PipelineError {
            Log.error("\(prefix)\(error)")
            if case .frame = error { return 1 }
            return 2
        } catch {
            Log.error("\(prefix)\(error)")
            return 1
        }
    }

    /// A `--frames` value (e.g. 1001-1024x2) as frame numbers; a bad one is a configuration error.
    static func frames(_ text: String) throws -> [Int] {
        do { return try FrameRange(parsing: text).frames } catch {
            throw PipelineError.configuration("--frames: \(error)")
        }
    }

    static func loadShot(_ path: String) throws -> ShotConfig {
        try ShotConfig.load(URL(fileURLWithPath: path), displayName: path)
    }
}
