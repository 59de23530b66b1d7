import Foundation
import ShotPipeline
import Support

/// Exit codes of the shot commands (track, farm, preview, contact-sheet): 2 for a bad shot.yaml or
/// bad options, 1 for anything that failed while working (unreadable frame, write error).
enum ShotCommandStatus {
    static func run(_ command: String, _ body: () throws -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch let error as ConfigError {
            Log.error("\(error)")
            return 2
        } catch let error as PipelineError {
            Log.error("plateswap \(command): \(error)")
            if case .frame = error { return 1 }
            return 2
        } catch {
            Log.error("plateswap \(command): \(error)")
            return 1
        }
    }

    static func loadShot(_ path: String) throws -> ShotConfig {
        try ShotConfig.load(URL(fileURLWithPath: path), displayName: path)
    }
}
