import Foundation

/// Logs go to stderr, so stdout stays clean for JSON and data.
public enum Log {
    public static var verbose = ProcessInfo.processInfo.environment["PLATESWAP_VERBOSE"] != nil

    public static func info(_ message: @autoclosure () -> String) { write("plateswap: " + message()) }
    public static func warning(_ message: @autoclosure () -> String) { write("plateswap: warning: " + message()) }
    public static func error(_ message: @autoclosure () -> String) { write("plateswap: error: " + message()) }
    public static func debug(_ message: @autoclosure () -> String) { if verbose { write("plateswap: debug: " + message()) } }

    /// Writes one line to stderr.
    public static func write(_ line: String) {
        FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
    }
}

/// Progress of long work on stderr: done/total, rate and ETA, at most a few lines per second.
public final class Progress {
    public let label: String
    public let total: Int
    public let unit: String
    private let start = Date()
    private var lastPrint = Date.distantPast
    /// The last percentage sent as `openjd_progress` (farm tasks only).
    private var lastPercent = -1
    public private(set) var done = 0

    public init(_ label: String, total: Int, unit: String = "frames") {
        self.label = label
        self.total = total
        self.unit = unit
    }

    /// Marks `count` more items done and prints a line when due (always on the last one).
    public func advance(by count: Int = 1, detail: String = "") {
        done += count
        if OpenJDMessages.enabled, total > 0, done * 100 / total != lastPercent {
            lastPercent = done * 100 / total
            OpenJDMessages.progress(percent: lastPercent)
        }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastPrint) >= 0.5 else { return }
        lastPrint = now
        Log.write(line(now: now, detail: detail))
    }

    public func line(now: Date = Date(), detail: String = "") -> String {
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        var text = "\(label): \(done)/\(total) \(unit), \(String(format: "%.2f", rate)) \(unit)/s, ETA \(Progress.clock(eta))"
        if !detail.isEmpty { text += ", " + detail }
        return text
    }

    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}
