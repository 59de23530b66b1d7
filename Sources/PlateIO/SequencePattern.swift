import Foundation

/// A frame-numbered file path: `plate.####.exr` (one `#` per digit), `plate.@@@@.exr` (one `@` per
/// digit), `plate.%04d.exr` / `plate.%d.exr` (printf), `plate.$F4.exr` / `plate.$F.exr` (Houdini).
/// The token pads to its digit count with zeros; larger frames use more digits; a negative frame is
/// written with a leading `-` before the padded digits (`-0005`). Only the file name may hold a
/// token, and only one.
public struct SequencePattern: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let directory: URL
    public let prefix: String
    public let suffix: String
    /// Minimum digit count (1 = unpadded).
    public let padding: Int
    /// The pattern as written.
    public let pattern: String

    public init(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        let tokens = Self.tokens(in: name)
        guard let token = tokens.first else { throw SequenceError.noFrameToken(path: path) }
        guard tokens.count == 1 else { throw SequenceError.severalFrameTokens(path: path, tokens: tokens.map { String(name[$0.range]) }) }
        directory = url.deletingLastPathComponent()
        prefix = String(name[..<token.range.lowerBound])
        suffix = String(name[token.range.upperBound...])
        padding = token.padding
        pattern = path
    }

    /// Whether a path's file name holds a frame token (else it is a single file or a movie).
    public static func hasFrameToken(_ path: String) -> Bool { !tokens(in: (path as NSString).lastPathComponent).isEmpty }

    /// The sequence a numbered file belongs to, from the last run of digits in its name before the
    /// extension: `plate.1001.exr` -> (`plate.####.exr`, 1001). Nil when the name has no digits.
    public static func detect(fromFile url: URL) -> (pattern: SequencePattern, frame: Int)? {
        let name = url.lastPathComponent
        let stem = name.range(of: ".", options: .backwards).map { name[..<$0.lowerBound] } ?? Substring(name)
        guard let lastDigit = stem.lastIndex(where: \.isASCIIDigit) else { return nil }
        var start = lastDigit
        while start > stem.startIndex, stem[stem.index(before: start)].isASCIIDigit { start = stem.index(before: start) }
        let digits = stem[start...lastDigit]
        guard let frame = Int(digits) else { return nil }
        let path = url.deletingLastPathComponent().appendingPathComponent(
            String(name[..<start]) + String(repeating: "#", count: digits.count) + String(name[name.index(after: lastDigit)...])).path
        guard let pattern = try? SequencePattern(path) else { return nil }
        return (pattern, frame)
    }

    public func fileName(frame: Int) -> String {
        let digits = String(frame.magnitude)
        return prefix + (frame < 0 ? "-" : "") + String(repeating: "0", count: max(0, padding - digits.count)) + digits + suffix
    }

    public func url(frame: Int) -> URL { directory.appendingPathComponent(fileName(frame: frame)) }

    public func path(frame: Int) -> String { url(frame: frame).path }

    /// The frame a file name stands for, or nil when it is not exactly what `fileName(frame:)` writes.
    public func frame(inFileName name: String) -> Int? {
        guard name.count > prefix.count + suffix.count, name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
        let digits = middle.hasPrefix("-") ? middle.dropFirst() : middle
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCIIDigit), let frame = Int(middle) else { return nil }
        return fileName(frame: frame) == name ? frame : nil
    }

    /// Frames present on disk, sorted.
    public func framesOnDisk() throws -> [Int] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw SequenceError.unreadableDirectory(path: directory.path, reason: error.localizedDescription)
        }
        return names.compactMap { frame(inFileName: $0) }.sorted()
    }

    /// What exists on disk, and which frames are missing: those of `range` when given, else the
    /// gaps between the first and last frame found.
    public func listing(range: FrameRange? = nil) throws -> SequenceListing {
        let found = try framesOnDisk()
        let present = Set(found)
        let wanted = range?.frames ?? (found.isEmpty ? [] : Array(found.first!...found.last!))
        return SequenceListing(pattern: self, found: found, missing: wanted.filter { !present.contains($0) })
    }

    public var description: String { pattern }

    private static func tokens(in name: String) -> [(range: Range<String.Index>, padding: Int)] {
        var result: [(Range<String.Index>, Int)] = []
        var i = name.startIndex
        while i < name.endIndex {
            let c = name[i]
            var end = name.index(after: i)
            var padding: Int?
            if c == "#" || c == "@" {
                while end < name.endIndex, name[end] == c { end = name.index(after: end) }
                padding = name.distance(from: i, to: end)
            } else if c == "%" {
                // %d, %4d, %04d
                var j = end
                while j < name.endIndex, name[j].isASCIIDigit { j = name.index(after: j) }
                if j < name.endIndex, name[j] == "d" {
                    padding = max(1, Int(name[end..<j]) ?? 1)
                    end = name.index(after: j)
                }
            } else if c == "$", end < name.endIndex, name[end] == "F" {
                var j = name.index(after: end)
                while j < name.endIndex, name[j].isASCIIDigit { j = name.index(after: j) }
                padding = max(1, Int(name[name.index(after: end)..<j]) ?? 1)
                end = j
            }
            if let padding {
                result.append((i..<end, padding))
                i = end
            } else {
                i = name.index(after: i)
            }
        }
        return result
    }
}

/// The files of a sequence found on disk.
public struct SequenceListing: Equatable, Sendable, CustomStringConvertible {
    public let pattern: SequencePattern
    /// Frames that exist, sorted.
    public let found: [Int]
    /// Frames wanted but absent, sorted.
    public let missing: [Int]

    public var description: String {
        var text = "\(pattern.pattern): \(found.count) frame\(found.count == 1 ? "" : "s")"
        if let first = found.first, let last = found.last { text += " (\(first)-\(last))" }
        if !missing.isEmpty { text += ", missing \(FrameRange.compact(missing))" }
        return text
    }
}

public enum SequenceError: Error, Equatable, CustomStringConvertible {
    case noFrameToken(path: String)
    case severalFrameTokens(path: String, tokens: [String])
    case unreadableDirectory(path: String, reason: String)
    case missingFrames(pattern: String, frames: [Int])

    public var description: String {
        switch self {
        case let .noFrameToken(path):
            return "\(path): no frame token in the file name (use ####, @@@@, %04d or $F4)"
        case let .severalFrameTokens(path, tokens):
            return "\(path): more than one frame token in the file name (\(tokens.joined(separator: ", ")))"
        case let .unreadableDirectory(path, reason):
            return "\(path): cannot list the sequence folder: \(reason)"
        case let .missingFrames(pattern, frames):
            return "\(pattern): missing frames \(FrameRange.compact(frames))"
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
