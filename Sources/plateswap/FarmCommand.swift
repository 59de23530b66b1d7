import ArgumentParser
import Foundation
import Neural
import ShotPipeline
import Support

/// `plateswap farm shot.yaml --chunk N --format openjd [-o job.yaml]`: a render-farm job template.
struct FarmCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case openjd }

    static let configuration = CommandConfiguration(
        commandName: "farm",
        abstract: "Write an Open Job Description job template that swaps the shot in frame chunks.",
        discussion: """
            Steps: track (one task, writes tracks.json), swap (one task per chunk, after track) and, \
            when the shot has output.preview, preview (after swap). Job parameters Plateswap and \
            ShotFile default to the absolute paths of this binary and the shot.yaml. Run it locally \
            with `openjd run job.yaml`, or submit it to a farm that reads OpenJD (e.g. Deadline Cloud).
            """)

    @Argument(help: "The shot.yaml file.")
    var shot: String

    @Option(name: .long, help: "Frames per swap task.")
    var chunk: Int

    @Option(name: .long, help: "Template format (only openjd: jobtemplate-2023-09).")
    var format: Format = .openjd

    @Option(name: .long, help: "list: every chunk's frames listed in the template (plain 2023-09); task-chunking: a CHUNK[INT] range the farm cuts (TASK_CHUNKING extension).")
    var chunking: FarmJob.Chunking = .list

    @Option(name: .shortAndLong, help: "Write the template here (atomically) instead of to stdout.")
    var output: String?

    @Option(name: .long, help: "The plateswap binary the workers run (default: this one).")
    var plateswap: String?

    @Flag(name: .long, help: "Swap tasks run with --identity-swap (checks a shot on the farm without a model).")
    var identitySwap = false

    func run() throws {
        let config = try ShotCommandInput.loadShot(shot)
        let binary = plateswap.map { URL(fileURLWithPath: $0) } ?? Self.currentExecutable()
        let job = try FarmJob(config: config)
        // The folders of this machine's model search path that exist, as absolute paths.
        let models = ModelSearchPath.standard().folders.filter { FileManager.default.fileExists(atPath: $0.path) }
        let yaml = try job.openJDTemplate(.init(chunkSize: chunk, plateswap: binary, chunking: chunking, identitySwap: identitySwap,
                                                modelFolders: models)).yaml()
        if let output {
            var inputs = InputGuard(shot: config)
            inputs.addInput(binary, role: "the plateswap binary")
            try inputs.check(output: URL(fileURLWithPath: output), role: "-o")
            try OutputFolders.check([InputGuard.File(URL(fileURLWithPath: output), "-o")])
            try AtomicFile.write(Data(yaml.utf8), to: URL(fileURLWithPath: output))
            Log.info("wrote \(output): \(job.frames.count) frame(s) in chunks of \(chunk)")
        } else {
            print(yaml, terminator: "")
        }
    }

    /// This process's binary as an absolute path (symlinks resolved).
    static func currentExecutable() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath()
    }
}
