import ArgumentParser
import Foundation
import PlateIO
import Support

/// `plateswap info FILE [--json] [--stats]`: what a plate file holds (schema in README.md).
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a plate file: EXR parts, windows, channels, compression, attributes; movie codec, size, frames, rate.",
        discussion: """
            Every chunk is checked, so truncated or damaged files fail here. Exits 1 with one line on \
            stderr naming the file and the reason when the file cannot be read or is not supported \
            (deep data, HTJ2K). Files that are not EXR are probed with FFmpeg (codec, size, frame count, rate).
            """
    )

    @Argument(help: "The file to describe.")
    var file: String

    @Flag(help: "Print the stable JSON document instead of text.")
    var json = false

    @Flag(help: "Also decode every pixel: per channel min, max, mean (finite values) and NaN/Inf counts.")
    var stats = false

    func run() throws {
        let url = URL(fileURLWithPath: file)
        // A file that cannot be read or is not supported is a failure (exit 1), whatever the reason.
        let report = try PhaseError.withStatus(ExitStatus.failed) { try InfoFile.report(for: url, stats: stats, threads: workerCount) }
        print(json ? report.serialized() : InfoFile.text(report))
    }
}
