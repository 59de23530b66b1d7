import ArgumentParser
import ShotPipeline

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the plateswap version.")
    func run() throws { print(PlateswapVersion.string) }
}
