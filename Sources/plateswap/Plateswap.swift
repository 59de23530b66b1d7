import ArgumentParser
import ShotPipeline

@main
struct Plateswap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plateswap",
        abstract: "Swap faces in high-resolution VFX plates with a VQ latent swap model.",
        version: PlateswapVersion.string,
        subcommands: [
            // Each subcommand lives in its own file.
            VersionCommand.self,
            CodecCommand.self,
            InfoCommand.self,
        ]
    )
}
