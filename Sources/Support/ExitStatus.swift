/// The exit statuses of plateswap's commands (README.md, "Exit status"). Errors carry their own
/// status (`ExitStatusError`); the command line's one catch (Sources/plateswap/Plateswap.swift)
/// prints the error as one line on stderr and exits with it.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// Something failed while working: an unreadable frame, a write error, training broke down.
    public static let failed: Int32 = 1
    /// Bad input or configuration: the command stopped before it did any work.
    public static let badInput: Int32 = 2
    /// Bad command-line usage: an unknown option, a missing argument or a bad option value
    /// (ArgumentParser's own status).
    public static let usage: Int32 = 64

    /// An error's own status when it has one, otherwise `failed`.
    public static func of(_ error: any Error) -> Int32 {
        (error as? any ExitStatusError)?.exitStatus ?? failed
    }
}

/// An error that knows the exit status it ends a command with. Errors that do not conform end it
/// with `ExitStatus.failed`.
public protocol ExitStatusError: Error, CustomStringConvertible {
    var exitStatus: Int32 { get }
}

/// An error that takes the status of the phase it happened in rather than its type's: `extract`
/// calls whatever stops it while opening its input bad input (2) and whatever stops it later a
/// failure (1); `detect` calls any error a failure.
public struct PhaseError: ExitStatusError {
    public let underlying: any Error
    public let exitStatus: Int32

    public var description: String { ErrorText.describe(underlying) }

    /// Runs `body`; an error it throws leaves as a `PhaseError` with `status`, except a stop by a
    /// signal, which keeps its 130 / 143.
    public static func withStatus<T>(_ status: Int32, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let stop as Stopped { throw stop } catch {
            throw PhaseError(underlying: error, exitStatus: status)
        }
    }
}
