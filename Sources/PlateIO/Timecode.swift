import Foundation

/// SMPTE timecode (`hh:mm:ss:ff`, `hh:mm:ss;ff` for drop-frame) at a nominal whole frame rate:
/// a movie's start timecode moved on by a frame's index, as the EXR `timeCode` attribute.
public struct Timecode: Equatable, Sendable, CustomStringConvertible {
    public var hours, minutes, seconds, frames: Int
    public var dropFrame: Bool
    /// Frames per second as counted in the code (30 for 29.97, 24 for 23.976).
    public let nominalRate: Int

    /// Parses `text` (FFmpeg's `timecode` metadata) for a stream of `frameRate` fps; nil when it is
    /// not a timecode or does not fit the rate.
    public init?(parsing text: String, frameRate: Double) {
        let fields = text.split(whereSeparator: { $0 == ":" || $0 == ";" || $0 == "." }).map { Int($0) }
        guard fields.count == 4, fields.allSatisfy({ $0 != nil }), frameRate > 0 else { return nil }
        nominalRate = max(1, Int(frameRate.rounded()))
        (hours, minutes, seconds, frames) = (fields[0]!, fields[1]!, fields[2]!, fields[3]!)
        // Drop-frame counting exists only for the NTSC rates (29.97, 59.94).
        dropFrame = (text.contains(";") || text.contains(".")) && nominalRate % 30 == 0
        guard (0..<24).contains(hours), (0..<60).contains(minutes), (0..<60).contains(seconds), (0..<nominalRate).contains(frames)
        else { return nil }
    }

    /// Frame numbers a drop-frame code skips at the start of each minute but every tenth.
    private var dropped: Int { dropFrame ? nominalRate / 15 : 0 }

    /// The number of frames since 00:00:00:00.
    var frameCount: Int {
        let totalMinutes = hours * 60 + minutes
        return ((hours * 3600 + minutes * 60 + seconds) * nominalRate + frames) - dropped * (totalMinutes - totalMinutes / 10)
    }

    /// The code `count` frames later (wrapping at 24 hours).
    public func adding(_ count: Int) -> Timecode {
        let perMinute = nominalRate * 60 - dropped
        let perTenMinutes = nominalRate * 600 - dropped * 9
        let perDay = perTenMinutes * 144
        var n = ((frameCount + count) % perDay + perDay) % perDay
        if dropped > 0 {
            // Put back the frame numbers drop-frame counting skipped before frame n.
            let tens = n / perTenMinutes, rest = n % perTenMinutes
            n += dropped * 9 * tens + (rest > dropped ? dropped * ((rest - dropped) / perMinute) : 0)
        }
        var result = self
        result.frames = n % nominalRate
        result.seconds = n / nominalRate % 60
        result.minutes = n / nominalRate / 60 % 60
        result.hours = n / nominalRate / 3600 % 24
        return result
    }

    public var description: String {
        String(format: "%02d:%02d:%02d%@%02d", hours, minutes, seconds, dropFrame ? ";" : ":", frames)
    }

    /// The EXR `timecode` value (SMPTE 12M binary-coded decimal, drop-frame flag in bit 6).
    public var exr: ExrTimeCode {
        func bcd(_ v: Int) -> UInt32 { UInt32(v / 10) << 4 | UInt32(v % 10) }
        // Frame tens has 2 bits: rates above 39 fps keep only the low bits, as SMPTE 12M does.
        let frameField = bcd(frames % 40)
        return ExrTimeCode(timeAndFlags: frameField | (dropFrame ? 1 << 6 : 0) | bcd(seconds) << 8 | bcd(minutes) << 16 | bcd(hours) << 24)
    }
}
