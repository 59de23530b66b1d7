import Foundation
import Imaging
import ShotPipeline

/// `--colorspace` of the commands that read images outside a shot (`info`, `detect`, `extract`,
/// `contact-sheet`): names resolve in the config `ColorConfigSearch` finds ($OCIO, else
/// ../shared/ocio), like a shot's.
enum ColorOptions {
    /// The located config's names; a `$OCIO` that is not a usable config is bad input (exit 2).
    static func names() throws -> ColorSpaceNames {
        do { return try ColorConfigSearch.names() } catch { throw PipelineError.configuration("$OCIO: \(error)") }
    }

    /// An `@Option(transform:)`: an unknown name is a usage error (exit 64) listing close matches.
    static func parse(_ text: String) throws -> NamedColorSpace { try names().resolve(text) }
}
