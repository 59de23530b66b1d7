import ArgumentParser
import Foundation
import ShotPipeline
import Support

/// `plateswap run shot.yaml` (also plain `plateswap shot.yaml`): swap a shot or a chunk of it.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Swap the faces of a shot described by a shot.yaml (the default command).",
        discussion: """
            Exit codes: 0 every frame done, 1 some frames failed (listed in report.json), \
            2 bad configuration (also a damaged model checkpoint, unless --use-backup), 130 / 143 stopped by \
            SIGINT / SIGTERM (between frames, report written).
            """)

    @OptionGroup var selection: ShotSelection

    @Flag(name: .long, help: "Redo frames whose output already exists with the same configuration.")
    var force = false

    @Flag(name: .long, help: "Only make tracks.json (the farm's track step), then stop.")
    var tracksOnly = false

    @Flag(name: .long, help: "Skip the swap model: paste back the plate's own aligned crop (checks tracking, masks and compositing without a trained model or codec).")
    var identitySwap = false

    @Flag(name: .long, help: "When the model's checkpoint is damaged, render with its newest intact backup (as model.allow_backup: true); report.json names the checkpoint used.")
    var useBackup = false

    func run() throws {
        OpenJDMessages.enabled = OpenJDMessages.inSession()
        let config = try selection.loadShot()
        var options = ShotRunner.Options(force: force, tracksOnly: tracksOnly)
        options.frames = try selection.frameList()
        // Before the model loads or tracking starts (ShotRunner checks again before it writes).
        try InputGuard.checkShot(config, frames: options.frames)
        OpenJDMessages.status(identitySwap ? "identity swap (no model)" : "loading the model")
        let swapper = try SwapperLoader.load(config, identity: identitySwap, useBackup: useBackup)
        let runner = ShotRunner(config: config, faces: TrackedFaces(), swapper: swapper)
        let report = try runner.run(options)
        if tracksOnly {
            Log.info("tracks written to \(config.output.tracks.path)")
            return
        }
        // A full run also writes the review movie; chunks leave it to `plateswap preview`.
        if options.frames == nil, report.failed.isEmpty, let preview = config.output.preview {
            try StopSignals.shared.check("after the last frame, before the preview movie (`plateswap preview` makes it)")
            OpenJDMessages.status("writing the review movie")
            try PreviewMovie.write(config)
            Log.info("preview written to \(preview.path)")
        }
        let passedOver = report.failed.filter(\.skippedOnError).count
        let summary = "\(report.done.count) frame(s) done, \(report.skipped.count) already done, \(report.noFace.count) without a face, \(report.failed.count - passedOver) failed, \(passedOver) skipped on error"
        Log.info("\(summary); report: \(runner.reportURL(options).path)")
        OpenJDMessages.status(summary)
        // The failed frames are listed in report.json and were logged as they failed; frames
        // `on_error: skip` passed over as told do not fail the run.
        if !report.succeeded { throw ExitCode(ExitStatus.failed) }
    }
}
