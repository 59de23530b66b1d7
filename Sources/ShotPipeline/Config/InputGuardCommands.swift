import Foundation
import PlateIO

/// What each command reads and writes, for `InputGuard` (README: "What plateswap never writes").
extension InputGuard {
    /// A shot's inputs: the shot.yaml, every plate frame (listed in `plate.frames` or on disk; the
    /// movie of a movie plate), every file of the model directory and every `mask.holdout` frame.
    public init(shot config: ShotConfig) {
        self.init()
        addInput(config.source, role: "the shot file")
        for (frame, url) in Self.plateFiles(config) {
            addInput(url, role: frame.map { "plate frame \($0)" } ?? "the plate movie")
        }
        addInputs(under: config.model.path, role: "model file")
        if case let .sequence(url, _)? = config.mask.holdout, let pattern = try? SequencePattern(url.path) {
            let frames = (try? pattern.framesOnDisk()) ?? []
            for frame in Set(frames + (config.plate.frames ?? [])).sorted() {
                addInput(pattern.url(frame: frame), role: "holdout frame \(frame) (mask.holdout)")
            }
        }
    }

    /// Refuses (`InputGuardError`) when any output the shot.yaml names could land on an input
    /// (and `OutputFolderError` when one's folder cannot be written):
    /// output frames (each frame of `frames`, default the shot's, and each already on disk),
    /// `output.report` and `reportURL` (a chunk's report), `output.tracks`, `output.preview`, and
    /// `extra` (e.g. `preview -o`). Cheap: one directory listing and one stat per file.
    public static func checkShot(_ config: ShotConfig, frames: [Int]? = nil, reportURL: URL? = nil,
                                 extra: [File] = []) throws {
        let guarded = InputGuard(shot: config)
        var outputs = extra
        if let pattern = try? SequencePattern(config.output.path.path) {
            let shotFrames = frames ?? config.plate.frames ?? plateFiles(config).compactMap(\.frame)
            let onDisk = (try? pattern.framesOnDisk()) ?? []
            for frame in Set(shotFrames + onDisk).sorted() {
                outputs.append(File(pattern.url(frame: frame), "output frame \(frame) (output.path)"))
            }
        }
        outputs.append(File(config.output.report, "output.report"))
        if let reportURL { outputs.append(File(reportURL, "the chunk's report")) }
        outputs.append(File(config.output.tracks, "output.tracks"))
        if let preview = config.output.preview { outputs.append(File(preview, "output.preview")) }
        try guarded.check(outputs: outputs)
        try OutputFolders.check(outputs)
    }

    /// The plate's files: each frame of a sequence (listed or found), or the movie (frame nil).
    static func plateFiles(_ config: ShotConfig) -> [(frame: Int?, url: URL)] {
        guard let pattern = try? SequencePattern(config.plate.path.path) else { return [(nil, config.plate.path)] }
        let onDisk = (try? pattern.framesOnDisk()) ?? []
        return Set(onDisk + (config.plate.frames ?? [])).sorted().map { ($0, pattern.url(frame: $0)) }
    }

    /// `extract --out DIR` writes `DIR/faceset.json` and `DIR/faces|masks/NNNNNN.png`, and removes
    /// crops numbered past the new set: refuses when any of these could be one of the source's images.
    public static func checkExtract(_ source: FaceImageSource, into directory: URL) throws {
        var guarded = InputGuard()
        switch source.kind {
        case let .movie(url): guarded.addInput(url, role: "the input movie")
        case .photos, .sequence:
            for item in source.items {
                guarded.addInput(URL(fileURLWithPath: item.file), role: item.frame.map { "input frame \($0)" } ?? "input image")
            }
        }
        let document = directory.appendingPathComponent("faceset.json")
        try guarded.check(output: document, role: "the face set's faceset.json")
        for sub in ["faces", "masks"] {
            try guarded.check(folder: directory.appendingPathComponent(sub), role: "face set \(sub)", writes: isFaceSetImageName)
        }
        try OutputFolders.check([File(document, "--out")])
    }

    /// `NNNNNN.png` (six or more digits): the names a face set's crops and masks get.
    static func isFaceSetImageName(_ name: String) -> Bool {
        name.hasSuffix(".png") && name.count >= 10 && name.dropLast(4).allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `train`: the model directory is plateswap's own (checkpoints are renamed into backups/ and
    /// old backups deleted, previews written), while the face sets and the `init_from` model are
    /// inputs, so neither may hold the other, whatever the spelling (symlinks, `..`, bind mounts:
    /// compared by device and inode).
    public static func checkTrain(_ config: TrainConfig) throws {
        var inputs = config.sources.map { ("the source face set", $0) } + config.targets.map { ("the target face set", $0) }
        if let holdout = config.holdout { inputs.append(("the holdout face set", holdout)) }
        inputs += config.pool.map { ("the pool face set", $0) }
        if let initFrom = config.initFrom { inputs.append(("the init_from model", initFrom)) }
        for (role, input) in inputs {
            if let reason = nesting(config.model, input) {
                throw InputGuardError(output: File(config.model, "the model directory (model)"), input: File(input, role),
                                      reason: reason)
            }
        }
        try OutputFolders.check([File(config.model.appendingPathComponent("state.json"), "the model directory (model)")])
    }

    /// Whether `model` and `input` (a folder) are the same folder or one is inside the other.
    static func nesting(_ model: URL, _ input: URL) -> String? {
        let modelChain = ancestors(model), inputChain = ancestors(input)
        guard let inputID = inputChain.first, let modelID = modelChain.first else { return nil }
        guard DiskIdentity(model.path) != nil else {
            // A model directory still to be made lands inside its nearest existing folder.
            return modelChain.contains(inputID) ? "the model directory would be made inside it" : nil
        }
        if modelID == inputID { return "the same folder" }
        if inputChain.contains(modelID) { return "it is inside the model directory" }
        if modelChain.contains(inputID) { return "the model directory is inside it" }
        return nil
    }

    /// Identities of the nearest existing folder at or above `url` (symlinks resolved) and of each
    /// folder above it.
    private static func ancestors(_ url: URL) -> [DiskIdentity] {
        var path = url.path
        while DiskIdentity(path) == nil, path != "/", !path.isEmpty { path = (path as NSString).deletingLastPathComponent }
        path = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var chain: [DiskIdentity] = []
        while true {
            if let id = DiskIdentity(path) { chain.append(id) }
            if path == "/" || path.isEmpty { return chain }
            path = (path as NSString).deletingLastPathComponent
        }
    }
}
