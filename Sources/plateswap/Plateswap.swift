import ArgumentParser
import Support
import ShotPipeline

@main
struct Plateswap: ParsableCommand {
    /// Starts OpenMP with passive waiting (see `OpenMPWaitPolicy`), then parses and runs the command.
    static func main() {
        OpenMPWaitPolicy.relaunchPassiveIfUnset()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "plateswap",
        abstract: "Swap faces in high-resolution VFX plates with a VQ latent swap model.",
        version: PlateswapVersion.string,
        subcommands: [
            // Each subcommand lives in its own file. `run` is the default: `plateswap shot.yaml`.
            RunCommand.self,
            VersionCommand.self,
            CodecCommand.self,
            InfoCommand.self,
            TrainCommand.self,
            TrackCommand.self,
            FarmCommand.self,
            PreviewCommand.self,
            QualityCommand.self,
            ContactSheetCommand.self,
            DetectCommand.self,
            ExtractCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
