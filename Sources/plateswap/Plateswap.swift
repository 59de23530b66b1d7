import ArgumentParser
import Foundation
import Support
import ShotPipeline

@main
struct Plateswap: ParsableCommand {
    /// Starts OpenMP with passive waiting (see `OpenMPWaitPolicy`), keeps freed heap memory
    /// (`HeapRetention`), then parses and runs the command.
    /// Usage errors exit 64 (ArgumentParser's status); every other error leaves through `exit(for:)`.
    static func main() {
        OpenMPWaitPolicy.relaunchPassiveIfUnset()
        HeapRetention.keepFreedMemory()
        // SIGINT / SIGTERM: the phase at work stops at its next unit, or within 1 s (`StopSignals`).
        StopSignals.shared.install()
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch { exit(for: error) }
    }

    /// The one place an error becomes an exit status: one line on stderr and the error's own status
    /// (`ExitStatus.of`: 2 bad input or configuration, 1 anything else). ArgumentParser's own errors
    /// keep its handling: `ExitCode` (a status whose reason was already logged), validation errors
    /// (usage, 64) and `--help`, which parses as its help command, whose run throws the request.
    static func exit(for error: any Error) -> Never {
        if error is ExitCode || error is ValidationError || error is CleanExit || isArgumentParsers(error) { exit(withError: error) }
        if let stop = error as? Stopped {
            Log.info("\(stop)")
            Foundation.exit(stop.exitStatus)
        }
        // Foundation's file and decoding errors in plain words, naming the file.
        Log.error(ErrorText.describe(error))
        Foundation.exit(ExitStatus.of(error))
    }

    /// Errors of ArgumentParser's internal types (the help request `plateswap CMD --help` throws).
    static func isArgumentParsers(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
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
