import Foundation
import XCTest

/// The built `plateswap` as a farm or a user runs it, for the fault-injection tests: started in a
/// folder with extra environment, stderr collected as it comes, signalled, and timed to its exit.
final class PlateswapProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = ""

    /// Models from ../shared unless `environment` says otherwise.
    init(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws {
        process.executableURL = try SyntheticShot.binary()
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let models = TrainFixtures.shared.appendingPathComponent("models").path
        process.environment = ProcessInfo.processInfo.environment
            .merging(["PLATESWAP_MODELS": models], uniquingKeysWith: { $1 })
            .merging(environment, uniquingKeysWith: { $1 })
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            guard let self else { return }
            self.lock.lock()
            self.collected += text
            self.lock.unlock()
        }
        try process.run()
    }

    var stderr: String { lock.lock(); defer { lock.unlock() }; return collected }

    /// Waits until stderr holds `text` (true) or the process ended or `timeout` passed (false).
    func waitFor(_ text: String, timeout: TimeInterval = 180) -> Bool {
        waitUntil(timeout: timeout) { self.stderr.contains(text) }
    }

    func waitUntil(timeout: TimeInterval = 180, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Sends `signal` and returns the seconds until the process exited (a hung process is killed
    /// after `limit` seconds, so a failing test never hangs the suite).
    func stop(with signal: Int32, limit: TimeInterval = 30) -> TimeInterval {
        let sent = Date()
        kill(process.processIdentifier, signal)
        while process.isRunning && Date().timeIntervalSince(sent) < limit { Thread.sleep(forTimeInterval: 0.005) }
        let elapsed = Date().timeIntervalSince(sent)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        finish()
        return elapsed
    }

    /// Waits for the exit and for the last of stderr.
    func finish() {
        process.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.1)
    }

    /// Runs to the end: exit status and stderr.
    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
        let started = try PlateswapProcess(arguments, in: folder, environment: environment)
        started.finish()
        return (started.status, started.stderr)
    }

    /// The exit status; a death by signal (a crash) fails the test that asked.
    var status: Int32 {
        XCTAssertEqual(process.terminationReason, .exit, "plateswap died of signal \(process.terminationStatus):\n\(stderr)")
        return process.terminationStatus
    }
}

/// Seconds a stop may take in these tests: the promise is 2 s; a loaded test machine gets slack.
let stopTimeLimit: TimeInterval = 5

/// Skips the calling test when a model file is not in ../shared/models.
func requireModels(_ files: [String]) throws {
    for file in files {
        let url = TrainFixtures.shared.appendingPathComponent("models/" + file)
        try XCTSkipUnless(FileManager.default.fileExists(atPath: url.path), "\(url.path) not found")
    }
}

/// Extracts the first `count` photos of ../shared's talking_d6 into the face set `actor` in
/// `folder` (through the binary, 256 px) and copies it as `plate`: a small real pair to train.
func extractTalkingPair(in folder: URL, count: Int) throws {
    let talking = TrainFixtures.shared.appendingPathComponent("data/faces/frames/talking_d6")
    let images = folder.appendingPathComponent("images")
    try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: talking.path).sorted().prefix(count) {
        try FileManager.default.copyItem(at: talking.appendingPathComponent(name), to: images.appendingPathComponent(name))
    }
    let extracted = try PlateswapProcess.run(["extract", "images", "--out", "actor", "--size", "256"], in: folder)
    XCTAssertEqual(extracted.status, 0, extracted.stderr)
    try FileManager.default.copyItem(at: folder.appendingPathComponent("actor"), to: folder.appendingPathComponent("plate"))
}
