import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into a flag that the training loop polls between iterations, so the
/// step in flight finishes and the model is saved before the process exits (130 / 143).
public final class StopSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []

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

    /// Starts catching SIGINT and SIGTERM (the default actions are switched off until `uninstall`).
    public func install() {
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.trigger(number)
                FileHandle.standardError.write(Data("plateswap: \(number == SIGINT ? "SIGINT" : "SIGTERM"): finishing this iteration, then saving\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    public func uninstall() {
        sources.forEach { $0.cancel() }
        sources.removeAll()
        for number in [SIGINT, SIGTERM] { Foundation.signal(number, SIG_DFL) }
    }

    /// The conventional exit status for a process stopped by `signal`: 128 + number.
    public static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }
}
