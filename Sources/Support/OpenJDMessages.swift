import Foundation

/// Open Job Description's task messages on stdout (`openjd_progress: N`, `openjd_status: TEXT`;
/// the specification's "Stdout/Stderr Messages"), which a farm shows as the task's progress and
/// stage. The farm task commands (`run`, `track`, `preview`) turn them on when they run in an
/// OpenJD session; everywhere else stdout stays data only.
public enum OpenJDMessages {
    /// Set by the farm task commands from `inSession()`.
    public static var enabled = false

    /// True in an OpenJD session: its runtime (openjd-sessions, under both the `openjd` CLI and
    /// Deadline Cloud's worker agent) sets `OPENJD_SESSION_WORKING_DIR` for every action.
    /// `PLATESWAP_OPENJD_MESSAGES=1` or `0` forces the messages on or off (other runtimes).
    public static func inSession(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        switch environment["PLATESWAP_OPENJD_MESSAGES"] {
        case "1"?: return true
        case "0"?: return false
        default: return environment["OPENJD_SESSION_WORKING_DIR"].map { !$0.isEmpty } ?? false
        }
    }

    /// `openjd_status: <text>` (one line: newlines become spaces).
    public static func status(_ text: String) {
        guard enabled else { return }
        write("openjd_status: " + text.replacingOccurrences(of: "\n", with: " "))
    }

    /// `openjd_progress: <percent>`, 0-100.
    public static func progress(percent: Int) {
        guard enabled else { return }
        write("openjd_progress: \(min(max(percent, 0), 100))")
    }

    /// Unbuffered, so each line reaches the runtime when it happens.
    private static func write(_ line: String) {
        FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
    }
}
