import Foundation
import Imaging

/// What `plateswap quality` prints: a table, or one JSON object (`--json`, schema in README.md).
extension ShotQuality.Report: Encodable {
    enum CodingKeys: String, CodingKey { case shot, frames, total, skipped, missing, failed }
    enum ScoreKeys: String, CodingKey { case frame, psnr, ssim, detail, gms, maskWeight = "mask_weight", measuredFrames = "frames" }
    enum FailureKeys: String, CodingKey { case frame, error }

    public func encode(to encoder: Encoder) throws {
        var root = encoder.container(keyedBy: CodingKeys.self)
        try root.encode(shot, forKey: .shot)
        var frames = root.nestedUnkeyedContainer(forKey: .frames)
        for item in measured {
            var entry = frames.nestedContainer(keyedBy: ScoreKeys.self)
            try entry.encode(item.frame, forKey: .frame)
            try Self.encode(item.scores, into: &entry)
        }
        if let total {
            var entry = root.nestedContainer(keyedBy: ScoreKeys.self, forKey: .total)
            try Self.encode(total, into: &entry)
            try entry.encode(measured.count, forKey: .measuredFrames)
        } else {
            try root.encodeNil(forKey: .total)
        }
        try root.encode(skipped, forKey: .skipped)
        try root.encode(missing, forKey: .missing)
        var failures = root.nestedUnkeyedContainer(forKey: .failed)
        for failure in failed {
            var entry = failures.nestedContainer(keyedBy: FailureKeys.self)
            try entry.encode(failure.frame, forKey: .frame)
            try entry.encode(failure.reason, forKey: .error)
        }
    }

    /// JSON has no infinity: a non-finite score (PSNR of identical images) is null.
    static func encode(_ scores: FaceQualityScores, into entry: inout KeyedEncodingContainer<ScoreKeys>) throws {
        for (key, value) in [(ScoreKeys.psnr, scores.psnr), (.ssim, scores.ssim), (.detail, scores.detail),
                             (.gms, scores.gms), (.maskWeight, scores.weight)] {
            if value.isFinite { try entry.encode(value, forKey: key) } else { try entry.encodeNil(forKey: key) }
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// One row per measured frame, the total, then the frames not measured.
    public func text() -> String {
        func row(_ label: String, _ s: FaceQualityScores) -> String {
            let psnr = s.psnr.isFinite ? String(format: "%8.2f", s.psnr) : "     inf"
            return label.padding(toLength: 7, withPad: " ", startingAt: 0)
                + psnr + String(format: " %7.4f %7.3f %7.4f %10.0f", s.ssim, s.detail, s.gms, s.weight)
        }
        var lines = ["frame   psnr dB    ssim  detail     gms  mask px"]
        lines += measured.map { row(String($0.frame), $0.scores) }
        if let total { lines.append(row("total", total)) }
        if !skipped.isEmpty { lines.append("skipped (empty mask): \(skipped.map(String.init).joined(separator: " "))") }
        if !missing.isEmpty { lines.append("missing output: \(missing.map(String.init).joined(separator: " "))") }
        lines += failed.map { "failed \($0.frame): \($0.reason)" }
        return lines.joined(separator: "\n")
    }
}
