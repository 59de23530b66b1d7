import Foundation

/// Builds the render-farm job of a shot (docs/ARCHITECTURE.md, section 8): step `track` (one task, writes
/// tracks.json), step `swap` (one task per frame chunk, after `track`), and, when the shot has
/// `output.preview`, step `preview` (one task, after `swap`). Every task is a plain plateswap
/// command line, so a chunk re-run skips the frames already written.
public struct FarmJob {
    public enum Chunking: String, CaseIterable {
        /// A STRING task parameter listing every chunk's frames (plain jobtemplate-2023-09).
        case list
        /// A CHUNK[INT] task parameter over the shot's frames (the TASK_CHUNKING extension): the farm
        /// cuts the chunks and may resize them (e.g. Deadline Cloud's adaptive chunking).
        case taskChunking = "task-chunking"
    }

    public struct Options {
        /// Frames per swap task.
        public var chunkSize: Int
        public var chunking: Chunking = .list
        /// The plateswap binary the workers run (absolute).
        public var plateswap: URL
        /// Passes `--identity-swap` to the swap tasks (a job that checks a shot without a model).
        public var identitySwap = false
        /// The model search path the tasks get as PLATESWAP_MODELS (tasks run in a scratch folder,
        /// where ./models and ../shared/models find nothing).
        public var modelFolders: [URL] = []

        public init(chunkSize: Int, plateswap: URL, chunking: Chunking = .list, identitySwap: Bool = false,
                    modelFolders: [URL] = []) {
            self.chunkSize = chunkSize
            self.plateswap = plateswap
            self.chunking = chunking
            self.identitySwap = identitySwap
            self.modelFolders = modelFolders
        }
    }

    /// OpenJD's limits: a STRING range lists at most 1024 values; a chunk holds at most 150 frames
    /// with TASK_CHUNKING.
    public static let maximumListedChunks = 1024
    public static let maximumTaskChunkingSize = 150

    /// Every task's host: Linux x86_64 (the binary's platform), at least 2 vCPUs (BENCHMARKS.md's
    /// shot pipeline: 4.5 s per 1080p frame and 5.6 s per 4K frame on 2 cores, most of it the codec,
    /// which uses every core) and 2 GiB (a 4K swap task peaked at 572 MiB, its track task at 474 MiB,
    /// with a 256 px model: BENCHMARKS.md "Farm tasks"; the rest is room for 512 px crops).
    public static let hostRequirements = OpenJDTemplate.HostRequirements(
        amounts: [.init(name: "amount.worker.vcpu", min: 2), .init(name: "amount.worker.memory", min: 2048)],
        attributes: [.init(name: "attr.worker.os.family", anyOf: ["linux"]), .init(name: "attr.worker.cpu.arch", anyOf: ["x86_64"])])

    public let config: ShotConfig
    /// The shot's frames, sorted (plate.frames or every frame on disk).
    public let frames: [Int]

    public init(config: ShotConfig) throws {
        self.config = config
        frames = try PlateSequence(config).frames
    }

    public init(config: ShotConfig, frames: [Int]) {
        self.config = config
        self.frames = frames
    }

    /// The frame list of every swap task in `list` chunking (together exactly the shot's frames).
    public func chunkSpecs(size: Int) -> [String] {
        FrameChunks.split(frames, size: size).map { FrameChunks.format($0) }
    }

    public func openJDTemplate(_ options: Options) throws -> OpenJDTemplate {
        guard options.chunkSize >= 1 else { throw PipelineError.configuration("--chunk must be at least 1 (got \(options.chunkSize))") }
        guard !frames.isEmpty else { throw PipelineError.configuration("the shot has no frames") }
        // STRING, not PATH: OpenJD only takes PATH defaults inside the template's folder, and these
        // are absolute paths anywhere (override them at submission where workers mount elsewhere).
        var parameters: [OpenJDTemplate.JobParameter] = [
            .init(name: "Plateswap", type: "STRING",
                  description: "The plateswap binary on the workers (absolute path).",
                  default: .string(options.plateswap.standardizedFileURL.path)),
            .init(name: "ShotFile", type: "STRING",
                  description: "The shot.yaml (absolute path; its relative paths are relative to it).",
                  default: .string(config.source.standardizedFileURL.path)),
        ]
        // Only when known: an empty PLATESWAP_MODELS would hide a worker's own setting.
        var environments: [OpenJDTemplate.Environment]?
        if !options.modelFolders.isEmpty {
            parameters.append(.init(name: "Models", type: "STRING",
                                    description: "Folders holding the model weights (PLATESWAP_MODELS, colon-separated absolute paths).",
                                    default: .string(options.modelFolders.map(\.standardizedFileURL.path).joined(separator: ":"))))
            environments = [.init(name: "PlateswapModels", variables: ["PLATESWAP_MODELS": "{{Param.Models}}"])]
        }
        let framesParameter: OpenJDTemplate.TaskParameter
        var extensions: [String]?
        switch options.chunking {
        case .list:
            let specs = chunkSpecs(size: options.chunkSize)
            guard specs.count <= Self.maximumListedChunks else {
                throw PipelineError.configuration("\(specs.count) chunks of \(options.chunkSize) frames: Open Job Description lists at most \(Self.maximumListedChunks) task values; use a larger --chunk or --chunking task-chunking")
            }
            framesParameter = .init(name: "Frames", type: "STRING", range: .list(specs))
        case .taskChunking:
            guard options.chunkSize <= Self.maximumTaskChunkingSize else {
                throw PipelineError.configuration("--chunk \(options.chunkSize): TASK_CHUNKING allows at most \(Self.maximumTaskChunkingSize) frames per chunk")
            }
            extensions = ["TASK_CHUNKING"]
            parameters.append(.init(name: "Frames", type: "STRING", description: "The frames to swap (OpenJD range expression).",
                                    default: .string(FrameChunks.format(frames, stepSeparator: ":"))))
            parameters.append(.init(name: "ChunkSize", type: "INT", description: "Frames per swap task.",
                                    minValue: 1, maxValue: Self.maximumTaskChunkingSize, default: .int(options.chunkSize)))
            framesParameter = .init(name: "Frames", type: "CHUNK[INT]", range: .expression("{{Param.Frames}}"),
                                    chunks: .init(defaultTaskCount: "{{Param.ChunkSize}}", rangeConstraint: "NONCONTIGUOUS"))
        }

        var swapArgs = ["run", "{{Param.ShotFile}}", "--frames", "{{Task.Param.Frames}}"]
        if options.identitySwap { swapArgs.append("--identity-swap") }
        var steps: [OpenJDTemplate.Step] = [
            step("track", "Track the plate's faces into tracks.json (once, before the chunks).", args: ["track", "{{Param.ShotFile}}"]),
            step("swap", "Swap one chunk of frames; frames already written with the same configuration are skipped.",
                 args: swapArgs, after: "track", frames: framesParameter),
        ]
        if config.output.preview != nil {
            steps.append(step("preview", "Write output.preview from the finished frames.", args: ["preview", "{{Param.ShotFile}}"], after: "swap"))
        }
        return OpenJDTemplate(extensions: extensions, name: "plateswap \(config.shot)",
                              description: "Face swap of shot \(config.shot): \(frames.count) frames, \(frames[0]) to \(frames[frames.count - 1]).",
                              parameterDefinitions: parameters,
                              jobEnvironments: environments,
                              steps: steps)
    }

    private func step(_ name: String, _ description: String, args: [String], after: String? = nil,
                      frames: OpenJDTemplate.TaskParameter? = nil) -> OpenJDTemplate.Step {
        OpenJDTemplate.Step(name: name, description: description, dependencies: after.map { [.init(dependsOn: $0)] },
                            parameterSpace: frames.map { .init(taskParameterDefinitions: [$0]) },
                            hostRequirements: Self.hostRequirements,
                            script: .init(actions: .init(onRun: .init(command: "{{Param.Plateswap}}", args: args))))
    }
}
