import Foundation

/// Frame lists as written in shot.yaml and `--frames`: `1001-1100`, `1001-1100x2`, `1001,1005`,
/// combinations (`1001-1010,1020`), a single number, or a YAML list of numbers.
public enum FrameSpec {
    /// More frames than any shot has; guards against `1-999999999` allocating gigabytes.
    public static let maximumCount = 1_000_000

    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "bad frame list '\(text)': \(reason)" }
    }

    /// Sorted, without duplicates.
    public static func parse(_ text: String) throws -> [Int] {
        var frames = Set<Int>()
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: ",", omittingEmptySubsequences: false)
        for part in parts {
            guard !part.isEmpty else { throw ParseError(text: text, reason: "empty item") }
            for frame in try parseItem(String(part), whole: text) {
                frames.insert(frame)
                if frames.count > maximumCount { throw ParseError(text: text, reason: "more than \(maximumCount) frames") }
            }
        }
        return frames.sorted()
    }

    private static func parseItem(_ item: String, whole: String) throws -> StrideThrough<Int> {
        var body = Substring(item)
        var step = 1
        if let x = body.firstIndex(of: "x") {
            guard let s = Int(body[body.index(after: x)...]), s > 0 else { throw ParseError(text: whole, reason: "step in '\(item)' must be a positive integer") }
            step = s
            body = body[..<x]
        }
        // A leading '-' is a negative frame; the range dash is the first '-' after the first character.
        if let dash = body.dropFirst().firstIndex(of: "-") {
            guard let first = Int(body[..<dash]), let last = Int(body[body.index(after: dash)...]) else {
                throw ParseError(text: whole, reason: "'\(item)' is not FIRST-LAST")
            }
            guard first <= last else { throw ParseError(text: whole, reason: "'\(item)' ends before it starts") }
            guard (last - first) / step < maximumCount else { throw ParseError(text: whole, reason: "more than \(maximumCount) frames") }
            return stride(from: first, through: last, by: step)
        }
        guard let frame = Int(body) else { throw ParseError(text: whole, reason: "'\(item)' is not a frame number") }
        guard step == 1 else { throw ParseError(text: whole, reason: "a step needs a range, as in 1001-1100x2") }
        return stride(from: frame, through: frame, by: 1)
    }

    /// Parses a shot.yaml node: a number, a string as above, or a list of numbers.
    static func parse(_ node: ConfigNode) throws -> [Int] {
        if let items = try? node.list() {
            guard !items.isEmpty else { throw node.error("the frame list is empty") }
            return Array(Set(try items.map { try $0.int() })).sorted()
        }
        if let frame = try? node.int() { return [frame] }
        do {
            return try parse(try node.string())
        } catch let error as ParseError {
            throw node.error(error.description)
        }
    }
}
