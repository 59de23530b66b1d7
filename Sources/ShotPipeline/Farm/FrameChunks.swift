import PlateIO

/// Frame lists as farm tasks see them.
public enum FrameChunks {
    /// The shortest text `FrameRange(parsing:)` reads back as `frames` (sorted, no duplicates):
    /// evenly stepped runs of three or more become `FIRST-LAST` or `FIRST-LASTxSTEP`, the rest single
    /// numbers. `stepSeparator` ":" writes Open Job Description's range syntax (`1001-1099:2`).
    public static func format(_ frames: [Int], stepSeparator: String = "x") -> String {
        var items: [String] = []
        var i = 0
        while i < frames.count {
            var end = i
            if i + 1 < frames.count {
                let step = frames[i + 1] - frames[i]
                while end + 1 < frames.count && frames[end + 1] - frames[end] == step { end += 1 }
                let count = end - i + 1
                if count >= 3 || (count == 2 && step == 1) {
                    items.append(step == 1 ? "\(frames[i])-\(frames[end])" : "\(frames[i])-\(frames[end])\(stepSeparator)\(step)")
                    i = end + 1
                    continue
                }
            }
            items.append(String(frames[i]))
            i += 1
        }
        return items.joined(separator: ",")
    }

    /// Consecutive groups of `size` frames of a sorted frame list (the last may be shorter).
    public static func split(_ frames: [Int], size: Int) -> [[Int]] {
        precondition(size > 0, "chunk size must be positive")
        return stride(from: 0, to: frames.count, by: size).map { Array(frames[$0..<min($0 + size, frames.count)]) }
    }
}
