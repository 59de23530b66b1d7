import Foundation
import Neural
import XCTest

/// `plateswap train` as a user runs it: the built binary, real TAEF2 weights, a generated 64 px
/// face set; SIGINT mid-run saves and exits 130, and `--resume` then ends bit-identical to an
/// uninterrupted run.
final class TrainCommandTests: XCTestCase {
    var folder: URL!
    var models: URL { TrainFixtures.shared.appendingPathComponent("models") }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: models.appendingPathComponent("taesd/taef2_encoder.safetensors").path),
                          "TAEF2 weights not found under \(models.path)")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-traincli-\(UUID().uuidString)")
        try TrainFixtures.makeProject(at: folder, faces: 4)
    }

    override func tearDownWithError() throws { if let folder { try? FileManager.default.removeItem(at: folder) } }

    /// The plateswap executable beside the test bundle.
    var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" { dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return dir.appendingPathComponent("plateswap")
    }

    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ data: Data) { lock.lock(); text += String(decoding: data, as: UTF8.self); lock.unlock() }
        var value: String { lock.lock(); defer { lock.unlock() }; return text }
    }

    /// Starts `plateswap args` in the project folder; stderr is collected as it comes.
    func start(_ args: [String]) throws -> (Process, Output) {
        XCTAssertTrue(FileManager.default.fileExists(atPath: binary.path), "build the plateswap executable first: \(binary.path)")
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(["PLATESWAP_MODELS": models.path]) { $1 }
        let errors = Pipe(), output = Output()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        errors.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        return (process, output)
    }

    func run(_ args: [String]) throws -> (status: Int32, stderr: String) {
        let (process, output) = try start(args)
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
        return (process.terminationStatus, output.value)
    }

    func iteration(_ model: String) throws -> Int {
        let data = try Data(contentsOf: folder.appendingPathComponent("\(model)/state.json"))
        return (try JSONSerialization.jsonObject(with: data) as! [String: Any])["iteration"] as! Int
    }

    func weights(_ model: String) throws -> [String: Tensor] {
        try SafeTensorsFile(url: folder.appendingPathComponent("\(model)/weights.safetensors")).allTensors()
    }

    func testSIGINTSavesAndResumeMatchesAnUninterruptedRun() throws {
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, iterations: 100_000)
        let (process, output) = try start(["train", yaml.path])
        // Interrupt once training is under way (the first progress line).
        let deadline = Date().addingTimeInterval(120)
        while !output.value.contains("it/s"), process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertTrue(process.isRunning, output.value)
        process.interrupt()
        process.waitUntilExit()
        let log = output.value
        XCTAssertEqual(process.terminationStatus, 130, log)
        for expected in ["parameters", "GFLOP per sample", "encoding 4 of 4 faces", "it/s", "perplexity", "ETA", "stop requested"] {
            XCTAssertTrue(log.contains(expected), "missing '\(expected)' in:\n\(log)")
        }
        let stopped = try iteration("actor.plateswap")
        XCTAssertGreaterThanOrEqual(stopped, 10)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("actor.plateswap/previews/iteration-000000010.png").path))

        let resumed = try run(["train", yaml.path, "--resume", "--iterations", "\(stopped + 12)"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("source 4 faces (4 cached), target 4 faces (4 cached)"), resumed.stderr)
        XCTAssertEqual(try iteration("actor.plateswap"), stopped + 12)
        // Training over an existing model without --resume is a usage error: exit 2, model untouched.
        let again = try run(["train", yaml.path, "--iterations", "1"])
        XCTAssertEqual(again.status, 2, again.stderr)
        XCTAssertTrue(again.stderr.contains("already holds a model; use --resume"), again.stderr)
        XCTAssertEqual(try iteration("actor.plateswap"), stopped + 12)

        var text = try String(contentsOf: yaml, encoding: .utf8)
        text = text.replacingOccurrences(of: "model: actor.plateswap", with: "model: straight.plateswap")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        let straight = try run(["train", yaml.path, "--iterations", "\(stopped + 12)"])
        XCTAssertEqual(straight.status, 0, straight.stderr)
        XCTAssertEqual(try weights("actor.plateswap"), try weights("straight.plateswap"))
    }

    func testBadTrainYAMLExitsWithTwoAndTheLine() throws {
        let yaml = try TrainFixtures.writeTrainYAML(in: folder, extra: "batch_sise: 4")
        let result = try run(["train", yaml.path, "--iterations", "1"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("train.yaml:16: batch_sise: unknown key"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("actor.plateswap").path))
    }
}
