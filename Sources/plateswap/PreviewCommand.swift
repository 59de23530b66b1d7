import ArgumentParser
import Foundation
import ShotPipeline
import Support

/// `plateswap preview shot.yaml [-o review.mp4]`: the side-by-side review movie from written frames.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Write the shot's review movie (output.preview): plate and result side by side.",
        discussion: """
            H.264 .mp4, plate left and swapped result right, frame numbers burnt in, display transform \
            linear -> sRGB clamped. A full `plateswap run` writes it by itself; after a chunked (farm) \
            run, run this once all chunks are done. Output frames that are missing show black.
            """)

    @OptionGroup var selection: ShotSelection

    @Option(name: .shortAndLong, help: "Write here instead of output.preview.")
    var output: String?

    func run() throws {
        OpenJDMessages.enabled = OpenJDMessages.inSession()
        OpenJDMessages.status("writing the review movie")
        let config = try selection.loadShot()
        let list = try selection.frameList()
        let target = output.map { URL(fileURLWithPath: $0) }
        let summary = try PreviewMovie.write(config, frames: list, to: target)
        let path = (target ?? config.output.preview)?.path ?? ""
        Log.info("wrote \(path): \(summary.frames.count) frame(s)\(summary.missing.isEmpty ? "" : ", \(summary.missing.count) without output")")
    }
}
