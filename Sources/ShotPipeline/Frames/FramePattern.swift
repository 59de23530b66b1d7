import Foundation

/// A frame-numbered file name: `plate.####.exr`, `plate.%04d.exr`, `plate.$F4.exr`, `plate.@@@@.exr`.
public struct FramePattern: Equatable, Sendable, CustomStringConvertible {
    public let url: URL
    private let prefix: String
    private let suffix: String
    private let padding: Int

    /// Nil when the file name has no frame token.
    public init?(_ url: URL) {
        let name = url.lastPathComponent
        guard let token = Self.findToken(name) else { return nil }
        self.url = url
        prefix = String(name[..<token.range.lowerBound])
        suffix = String(name[token.range.upperBound...])
        padding = token.padding
    }

    public var description: String { url.path }

    public static func hasFrameToken(_ name: String) -> Bool { findToken(name) != nil }

    public func url(frame: Int) -> URL {
        let digits = String(abs(frame))
        let padded = String(repeating: "0", count: max(0, padding - digits.count)) + digits
        return url.deletingLastPathComponent().appendingPathComponent(prefix + (frame < 0 ? "-" : "") + padded + suffix)
    }

    /// Frames present on disk, sorted. Names must match the prefix, suffix and digits exactly.
    public func framesOnDisk() -> [Int] {
        let folder = url.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var frames: [Int] = []
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) && name.count > prefix.count + suffix.count {
            let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
            let digits = middle.hasPrefix("-") ? middle.dropFirst() : middle
            guard digits.count >= padding, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  let frame = Int(middle) else { continue }
            // A name only belongs to the pattern when it is exactly what url(frame:) would write.
            if url(frame: frame).lastPathComponent == name { frames.append(frame) }
        }
        return frames.sorted()
    }

    private static func findToken(_ name: String) -> (range: Range<String.Index>, padding: Int)? {
        if let r = name.range(of: "#+", options: .regularExpression) { return (r, name.distance(from: r.lowerBound, to: r.upperBound)) }
        if let r = name.range(of: "@+", options: .regularExpression) { return (r, name.distance(from: r.lowerBound, to: r.upperBound)) }
        if let r = name.range(of: "%0?[0-9]*d", options: .regularExpression) {
            return (r, Int(name[r].dropFirst().dropLast()) ?? 1)
        }
        if let r = name.range(of: "\\$F[0-9]*", options: .regularExpression) {
            return (r, Int(name[r].dropFirst(2)) ?? 1)
        }
        return nil
    }
}
