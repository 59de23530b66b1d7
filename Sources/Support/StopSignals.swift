import Dispatch
import Foundation

/// The process's one stop flag: SIGINT and SIGTERM set it, and every long phase (latent encoding,
/// extraction, tracking, rendering, training) polls it between units of work (a face batch, a
/// frame, an iteration), saves what it has and throws `Stopped`; the command exits 130 / 143.
///
/// A unit that is still running `grace` seconds after the signal is not waited for: the process
/// exits with the same status, as a farm's SIGKILL would end it, which is safe because every output
/// is written to a temporary file and renamed. Only training defers this (`deferringExit`): its
/// iteration in flight finishes and the model is saved. A second signal exits at once.
public final class StopSignals: @unchecked Sendable {
    /// The flag every command polls.
    public static let shared = StopSignals()
    /// Seconds a phase gets after a signal to reach its next check before the process exits anyway.
    public static let grace = 1.0

    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []
    private var deferring = false

    public init() {}

    /// The first signal caught, if any.
    public var signal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Marks a stop as if `signal` had arrived (tests).
    public func trigger(_ signal: Int32) {
        lock.lock()
        if received == nil { received = signal }
        lock.unlock()
    }

    /// Throws `Stopped` once a signal has arrived; `progress` says what is saved (for the log line).
    public func check(_ progress: @autoclosure () -> String) throws {
        if let signal { throw Stopped(signal: signal, progress: progress()) }
    }

    /// While true, a signal waits for the next check however long it takes (training saves the model).
    public var deferringExit: Bool {
        get { lock.lock(); defer { lock.unlock() }; return deferring }
        set { lock.lock(); deferring = newValue; lock.unlock() }
    }

    /// Starts catching SIGINT and SIGTERM (the default actions are switched off until `uninstall`).
    public func install() {
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.caught(number) }
            source.resume()
            sources.append(source)
        }
    }

    public func uninstall() {
        sources.forEach { $0.cancel() }
        sources.removeAll()
        for number in [SIGINT, SIGTERM] { Foundation.signal(number, SIG_DFL) }
    }

    private func caught(_ number: Int32) {
        lock.lock()
        let first = received == nil
        if first { received = number }
        lock.unlock()
        let name = Stopped.signalName(number)
        guard first else {
            Log.write("plateswap: second \(name): exiting now")
            Self.exit(now: number)
        }
        Log.write("plateswap: \(name): stopping after the work in flight")
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.grace) { [weak self] in
            guard let self, !self.deferringExit else { return }
            Log.write("plateswap: stopped by \(name) (the work in flight was not finished; outputs already written are whole)")
            Self.exit(now: number)
        }
    }

    private static func exit(now signal: Int32) -> Never { _exit(exitStatus(signal)) }

    /// The conventional exit status for a process stopped by `signal`: 128 + number.
    public static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }
}

/// A phase stopped by SIGINT or SIGTERM at a unit boundary, after saving its state; the command
/// exits 128 + the signal's number.
public struct Stopped: ExitStatusError {
    public let signal: Int32
    /// What was done and kept, e.g. "after frame 1012 (report written)".
    public let progress: String

    public var exitStatus: Int32 { StopSignals.exitStatus(signal) }
    public var description: String { "stopped by \(Self.signalName(signal)) \(progress)" }

    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }
}
