import ArgumentParser
import Foundation
import LatentSwapModel
import ShotPipeline
import Support

/// `plateswap train train.yaml`: train (or continue) a swap model from two face sets.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a VQ latent swap model from two face sets (train.yaml).",
        discussion: """
            Progress lines go to stderr. Ctrl-C (SIGINT) or SIGTERM finishes the current iteration, \
            saves the model and exits (while face sets are encoded: within 2 s, keeping the faces encoded). Exit codes: 0 done, 1 training failed, 2 bad configuration \
            or face sets, 130 stopped by SIGINT, 143 stopped by SIGTERM (model saved in both cases).
            """)

    @Argument(help: "The train.yaml file.")
    var config: String

    @Option(name: .long, help: "Stop when the model has trained this many iterations in total (replaces train.yaml's stop).")
    var iterations: Int?

    @Option(name: .long, help: "Stop after this many minutes of this run (replaces train.yaml's stop).")
    var minutes: Double?

    @Flag(name: .long, help: "Continue the model directory's last checkpoint.")
    var resume = false

    @Flag(name: .long, help: "Pretrain a generic model on train.yaml's `pool` of face sets (for another model's `init_from`).")
    var pretrain = false

    @Flag(name: .long, help: "Score the saved model (train.yaml's holdout, and whether the swap follows the last target set) without training; prints JSON.")
    var score = false

    func validate() throws {
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let minutes, !(minutes > 0) { throw ValidationError("--minutes must be positive") }
    }

    func run() throws {
        let signals = StopSignals.shared
        let settings = try TrainConfig.load(URL(fileURLWithPath: config), displayName: config)
        try InputGuard.checkTrain(settings)
        let runner = try TrainRunner(config: settings, overrides: .init(iterations: iterations, minutes: minutes, resume: resume, pretrain: pretrain, scoreOnly: score),
                                     signals: signals)
        let outcome = try runner.run()
        // Stopped by a signal after saving: 128 + the signal's number.
        if let signal = outcome.signal { throw ExitCode(StopSignals.exitStatus(signal)) }
    }
}
