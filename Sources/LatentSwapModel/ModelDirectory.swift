import Foundation
import Neural
import Support

/// A model directory `NAME.plateswap/`: config.json, weights.safetensors, optimizer.safetensors,
/// state.json, previews/, and backups/ with the previous few checkpoints.
///
/// A save writes the new files into `.saving/`, keeps the current checkpoint as
/// `backups/iteration-N/` (hard links into a hidden folder renamed into place, so a backup is whole
/// or absent), then renames the new files over the current ones, state.json last. state.json holds
/// the SHA-256 of the two tensor files, so a checkpoint cut short by a crash or damaged later is
/// detected on load. At every moment of a save a SIGKILL leaves either an intact current
/// checkpoint or, beside a mixed one the hashes reject, the previous checkpoint whole in
/// backups/. Training may then go on from the newest intact backup; rendering only when asked to
/// (`allowBackup`), never silently (issue 16, item 7).
public struct ModelDirectory {
    public let url: URL
    /// Previous checkpoints kept in backups/.
    public var backupsKept = 3

    public static let configName = "config.json", weightsName = "weights.safetensors"
    public static let optimizerName = "optimizer.safetensors", stateName = "state.json"
    static let fileNames = [configName, weightsName, optimizerName, stateName]

    /// Test hook: called after each step of a save with the step's name. A throw leaves the files
    /// as a kill at that moment would (tests interrupt every step in turn).
    var afterSaveStep: ((String) throws -> Void)?

    public init(url: URL) { self.url = url }

    public var previews: URL { url.appendingPathComponent("previews") }
    var backups: URL { url.appendingPathComponent("backups") }

    /// Whether a checkpoint (state.json) exists.
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent(Self.stateName).path) }

    // MARK: saving

    /// Saves model, optimizer and state as the current checkpoint.
    public func save(model: SwapAutoencoder, optimizer: Adam?, state: TrainState) throws {
        let fm = FileManager.default
        let staging = url.appendingPathComponent(".saving")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        try fm.createDirectory(at: previews, withIntermediateDirectories: true)

        try writeJSON(model.config, to: staging.appendingPathComponent(Self.configName))
        let weights = staging.appendingPathComponent(Self.weightsName)
        try SafeTensorsFile.write(ModelDirectory.weightTensors(model), to: weights,
                                  metadata: ["format": "plateswap-model", "codec": model.config.codec.id])
        let optimizerURL = staging.appendingPathComponent(Self.optimizerName)
        try SafeTensorsFile.write(optimizer?.state() ?? [:], to: optimizerURL,
                                  metadata: ["learning_rate": "\(optimizer?.learningRate ?? state.learningRate)"])
        var state = state
        state.weightsSHA256 = try ModelDirectory.sha256(of: weights)
        state.optimizerSHA256 = try ModelDirectory.sha256(of: optimizerURL)
        try writeJSON(state, to: staging.appendingPathComponent(Self.stateName))
        try afterSaveStep?("staged")

        if hasCheckpoint, let current = try? readState(in: url) { try keepBackup(of: current) }
        // state.json goes last: until it is renamed, the checkpoint on disk is the previous one
        // (or a mix that the hashes reject, while backups/ holds the previous one whole).
        for name in Self.fileNames {
            try ModelDirectory.rename(staging.appendingPathComponent(name), to: url.appendingPathComponent(name))
            try afterSaveStep?("renamed \(name)")
        }
        try? fm.removeItem(at: staging)
    }

    /// Keeps the current checkpoint as backups/iteration-N (hard links, or copies where the file
    /// system has none) and drops the oldest beyond `backupsKept`. The current files stay in place.
    /// A damaged current checkpoint (a run resumed from a backup after a crash) is not kept, and
    /// an existing backup of the same iteration is never replaced: it was whole when it was made.
    private func keepBackup(of current: TrainState) throws {
        let fm = FileManager.default
        // Leftovers of a save that was killed while keeping a backup.
        for leftover in (try? fm.contentsOfDirectory(atPath: backups.path)) ?? [] where leftover.hasSuffix(".partial") {
            try? fm.removeItem(at: backups.appendingPathComponent(leftover))
        }
        let name = String(format: "iteration-%09d", current.iteration)
        let slot = backups.appendingPathComponent(name), partial = backups.appendingPathComponent(".\(name).partial")
        guard (try? Self.checkHashes(of: current, in: url)) != nil, !fm.fileExists(atPath: slot.path) else { return }
        try fm.createDirectory(at: partial, withIntermediateDirectories: true)
        for file in Self.fileNames where fm.fileExists(atPath: url.appendingPathComponent(file).path) {
            let (from, to) = (url.appendingPathComponent(file), partial.appendingPathComponent(file))
            do { try fm.linkItem(at: from, to: to) } catch { try fm.copyItem(at: from, to: to) }
            try afterSaveStep?("backup \(file)")
        }
        try ModelDirectory.rename(partial, to: slot)
        try afterSaveStep?("backup kept")
        for old in backupSlots().dropLast(max(backupsKept, 0)) { try? fm.removeItem(at: old) }
    }

    /// Backup checkpoint folders, oldest first.
    func backupSlots() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: backups.path)) ?? []
        return names.filter { $0.hasPrefix("iteration-") }.sorted().map { backups.appendingPathComponent($0) }
    }

    static func weightTensors(_ model: SwapAutoencoder) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for p in model.parameters { tensors[p.name] = p.value }
        if let vq = model.quantizer {
            tensors["vq.codebook"] = Tensor(shape: [vq.codebookSize, vq.codeDim], data: vq.codebook)
            tensors["vq.ema_count"] = Tensor(shape: [vq.codebookSize], data: vq.emaCount)
            tensors["vq.ema_sum"] = Tensor(shape: [vq.codebookSize, vq.codeDim], data: vq.emaSum)
        }
        return tensors
    }

    // MARK: loading

    /// config.json, validated.
    public func loadConfig() throws -> SwapModelConfig { try ModelDirectory.readConfig(in: url) }

    /// The model of the newest intact checkpoint, for inference.
    public func loadModel() throws -> SwapAutoencoder {
        try loadCheckpoint(optimizer: nil).model
    }

    /// Loads the directory's checkpoint: the model, and the optimizer state into
    /// `optimizer(parameters)` when given; `folder` is where it came from (the directory, or
    /// `backups/iteration-N`). When the checkpoint is damaged (a file missing, a hash that does
    /// not match state.json, a tensor that does not fit config.json) and `allowBackup`, the newest
    /// intact backup is loaded with a warning naming both; otherwise `SwapModelError.damagedCheckpoint`.
    public func loadCheckpoint(optimizer makeOptimizer: (([Parameter]) -> Adam)?, allowBackup: Bool = true) throws
        -> (model: SwapAutoencoder, state: TrainState, optimizer: Adam?, folder: URL)
    {
        let problem: Error
        do {
            let loaded = try loadCheckpoint(in: url, makeOptimizer: makeOptimizer)
            return (loaded.model, loaded.state, loaded.optimizer, url)
        } catch {
            problem = error
        }
        // The newest backup that loads (each is checked against its own state.json).
        for folder in backupSlots().reversed() {
            guard let loaded = try? loadCheckpoint(in: folder, makeOptimizer: makeOptimizer) else { continue }
            guard allowBackup else {
                throw SwapModelError.damagedCheckpoint(problem: "\(problem)", backup: folder.path, backupIteration: loaded.state.iteration)
            }
            Log.warning("the checkpoint of \(url.path) is damaged (\(problem)); using the backup \(folder.path) (iteration \(loaded.state.iteration)) instead")
            return (loaded.model, loaded.state, loaded.optimizer, folder)
        }
        guard hasCheckpoint || !backupSlots().isEmpty else { throw problem }
        throw SwapModelError.damagedCheckpoint(problem: "\(problem)", backup: nil, backupIteration: nil)
    }

    private func loadCheckpoint(in folder: URL, makeOptimizer: (([Parameter]) -> Adam)?) throws
        -> (model: SwapAutoencoder, state: TrainState, optimizer: Adam?)
    {
        let state = try readState(in: folder)
        let config = try ModelDirectory.readConfig(in: folder)
        let weightsURL = folder.appendingPathComponent(Self.weightsName)
        let optimizerURL = folder.appendingPathComponent(Self.optimizerName)
        try Self.checkHashes(of: state, in: folder)
        let model = SwapAutoencoder(config: config, seed: state.seed)
        try ModelDirectory.loadWeights(into: model, from: try SafeTensorsFile(url: weightsURL), path: weightsURL.path)
        var optimizer: Adam?
        if let makeOptimizer {
            let adam = makeOptimizer(model.parameters)
            let saved = try SafeTensorsFile(url: optimizerURL).allTensors()
            if !saved.isEmpty {
                do { try adam.load(state: saved) } catch {
                    throw SwapModelError.corruptFile(file: optimizerURL.path, reason: "\(error)")
                }
            }
            adam.learningRate = state.learningRate
            optimizer = adam
        }
        return (model, state, optimizer)
    }

    static func loadWeights(into model: SwapAutoencoder, from file: SafeTensorsFile, path: String) throws {
        var expected = Set<String>()
        func read(_ name: String, _ shape: [Int]) throws -> [Float] {
            expected.insert(name)
            guard file.entries[name] != nil else { throw SwapModelError.weightMismatch(file: path, name: name, reason: "missing") }
            let t = try file.tensor(name)
            guard t.shape == shape else {
                throw SwapModelError.weightMismatch(file: path, name: name, reason: "shape \(t.shape), config needs \(shape)")
            }
            guard t.data.allSatisfy(\.isFinite) else { throw SwapModelError.weightMismatch(file: path, name: name, reason: "holds NaN or Inf") }
            return t.data
        }
        for p in model.parameters { p.value = Tensor(shape: p.value.shape, data: try read(p.name, p.value.shape)) }
        if let vq = model.quantizer {
            vq.codebook = try read("vq.codebook", [vq.codebookSize, vq.codeDim])
            vq.emaCount = try read("vq.ema_count", [vq.codebookSize])
            vq.emaSum = try read("vq.ema_sum", [vq.codebookSize, vq.codeDim])
        }
        if let extra = file.names.first(where: { !expected.contains($0) }) {
            throw SwapModelError.weightMismatch(file: path, name: extra, reason: "not part of the model that config.json describes")
        }
    }

    static func readConfig(in folder: URL) throws -> SwapModelConfig {
        let file = folder.appendingPathComponent(configName)
        let config: SwapModelConfig = try readJSON(file)
        try config.validate(source: file.path)
        return config
    }

    func readState(in folder: URL) throws -> TrainState { try ModelDirectory.readJSON(folder.appendingPathComponent(Self.stateName)) }

    static func readJSON<T: Decodable>(_ file: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: file.path) else { throw SwapModelError.missingFile(file.path) }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let DecodingError.keyNotFound(key, context) {
            throw SwapModelError.invalidConfig(file: file.path, field: (context.codingPath + [key]).map(\.stringValue).joined(separator: "."),
                                               reason: "missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            throw SwapModelError.invalidConfig(file: file.path, field: context.codingPath.map(\.stringValue).joined(separator: "."),
                                               reason: context.debugDescription)
        } catch {
            throw SwapModelError.corruptFile(file: file.path, reason: "\(error)")
        }
    }

    private func writeJSON<T: Encodable>(_ value: T, to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(value), to: file)
    }

    /// Throws unless `folder`'s weights and optimizer files are there with the SHA-256 `state` records.
    static func checkHashes(of state: TrainState, in folder: URL) throws {
        for (name, expected) in [(weightsName, state.weightsSHA256), (optimizerName, state.optimizerSHA256)] {
            let file = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else { throw SwapModelError.missingFile(file.path) }
            let actual = try ModelDirectory.sha256(of: file)
            if actual != expected {
                throw SwapModelError.corruptFile(file: file.path, reason: "SHA-256 \(actual) does not match state.json (\(expected))")
            }
        }
    }

    static func sha256(of file: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: file.path) else { throw SwapModelError.missingFile(file.path) }
        return try SHA256.hex(fileAt: file)
    }

    static func rename(_ from: URL, to: URL) throws {
        if Foundation.rename(from.path, to.path) != 0 {
            throw SwapModelError.corruptFile(file: to.path, reason: "cannot move \(from.path) here: \(String(cString: strerror(errno)))")
        }
    }
}
