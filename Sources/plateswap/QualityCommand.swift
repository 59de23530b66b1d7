import ArgumentParser
import Foundation
import ShotPipeline
import Support

/// `plateswap quality shot.yaml [--frames SPEC] [--json]`: the written output against the plate,
/// inside the swap mask.
struct QualityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Score the shot's written output frames against the plate inside the matte swap.A.",
        discussion: """
            PSNR (dB), SSIM, detail ratio and gradient-magnitude similarity per frame and over all \
            frames (pooled, weighted by the mask), on the review movie's display images. Frames with \
            an empty mask are skipped. Exit codes: 0 measured, 1 no frame could be measured, \
            2 bad configuration.
            """)

    @OptionGroup var selection: ShotSelection

    @Flag(name: .long, help: "Print one JSON object on stdout (logs stay on stderr).")
    var json = false

    func run() throws {
        let report = try ShotQuality.measure(try selection.loadShot(), frames: try selection.frameList())
        print(json ? try report.json() : report.text())
        Log.info("\(report.measured.count) frame(s) measured, \(report.skipped.count) with an empty mask, \(report.missing.count) without output, \(report.failed.count) unreadable")
        if report.measured.isEmpty { throw ExitCode(ExitStatus.failed) }
    }
}
