import Foundation

/// A frame list: `1001-1100`, `1001-1100x2`, `1001,1005,1010-1012`, negative frames (`-5--1`),
/// spaces allowed around items; a step may also be written `1001-1100:2` (Open Job Description's
/// range syntax, as farm chunks arrive). `frames` is sorted and without duplicates.
public struct FrameRange: Equatable, Sendable, CustomStringConvertible {
    /// One comma-separated item: `first` through `last` every `step` frames.
    public struct Item: Equatable, Sendable {
        public let first: Int, last: Int, step: Int
    }

    /// More frames than any shot has: guards `1-999999999` against allocating gigabytes.
    public static let maximumCount = 1_000_000

    public let items: [Item]
    public let frames: [Int]

    public init(first: Int, last: Int, step: Int = 1) throws {
        try self.init(parsing: step == 1 ? "\(first)-\(last)" : "\(first)-\(last)x\(step)")
    }

    /// Parses `text`; errors name the item (1-based), the field and what is wrong with it.
    public init(parsing text: String) throws {
        var items: [Item] = []
        var all = Set<Int>()
        let pieces = text.split(separator: ",", omittingEmptySubsequences: false)
        for (n, piece) in pieces.enumerated() {
            let item = try Self.parseItem(piece.trimmingCharacters(in: .whitespaces), number: n + 1, text: text)
            let (span, overflow) = item.last.subtractingReportingOverflow(item.first)
            let count = overflow ? Int.max : span / item.step + 1
            if count > Self.maximumCount || all.count + count > Self.maximumCount {
                throw FrameRangeError(text: text, item: n + 1, field: "range", reason: "more than \(Self.maximumCount) frames")
            }
            all.formUnion(stride(from: item.first, through: item.last, by: item.step))
            items.append(item)
        }
        self.items = items
        frames = all.sorted()
    }

    /// The frames as the shortest list of ranges: `[1001, 1002, 1003, 1007]` -> `1001-1003,1007`.
    public static func compact(_ frames: [Int]) -> String {
        let sorted = Array(Set(frames)).sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    public var description: String {
        items.map { item in
            if item.first == item.last { return "\(item.first)" }
            return item.step == 1 ? "\(item.first)-\(item.last)" : "\(item.first)-\(item.last)x\(item.step)"
        }.joined(separator: ",")
    }

    private static func parseItem(_ item: String, number: Int, text: String) throws -> Item {
        func fail(_ field: String, _ reason: String) -> FrameRangeError {
            FrameRangeError(text: text, item: number, field: field, reason: reason)
        }
        guard !item.isEmpty else { throw fail("item", "is empty (two commas in a row, or a comma at an end)") }
        var body = Substring(item)
        var step = 1
        if let x = body.firstIndex(where: { $0 == "x" || $0 == "X" || $0 == ":" }) {
            let stepText = body[body.index(after: x)...]
            guard let s = Int(stepText) else { throw fail("step", "'\(stepText)' is not an integer") }
            guard s > 0 else { throw fail("step", "must be at least 1, got \(s)") }
            step = s
            body = body[..<x]
        }
        // A leading '-' is a sign; the range dash is the first '-' after the first character.
        if let dash = body.dropFirst().firstIndex(of: "-") {
            let firstText = body[..<dash], lastText = body[body.index(after: dash)...]
            guard let first = Int(firstText) else { throw fail("first frame", "'\(firstText)' is not an integer") }
            guard let last = Int(lastText) else { throw fail("last frame", "'\(lastText)' is not an integer") }
            guard first <= last else { throw fail("last frame", "\(last) comes before the first frame \(first)") }
            return Item(first: first, last: last, step: step)
        }
        guard let frame = Int(body) else { throw fail("frame", "'\(body)' is not an integer") }
        guard step == 1 else { throw fail("step", "a step needs a range, as in 1001-1100x2") }
        return Item(first: frame, last: frame, step: 1)
    }
}

/// A frame list that does not parse: which item, which field, and why.
public struct FrameRangeError: Error, Equatable, CustomStringConvertible {
    public let text: String
    /// 1-based position of the comma-separated item.
    public let item: Int
    /// "item", "frame", "first frame", "last frame", "step" or "range".
    public let field: String
    public let reason: String

    public var description: String { "frame range '\(text)', item \(item): \(field) \(reason)" }
}
