import Foundation

/// The colour chunks of a PNG file (sRGB, gAMA, cHRM, the name of an iCCP profile), read from the
/// chunks before the image data.
/// PNG pixels are code values; these say how to interpret them (PNG spec 11.3.3).
public struct PNGColorTags: Equatable, Sendable {
    /// An sRGB chunk is present (rendering intent given): the values are sRGB-encoded.
    public var srgb = false
    /// The gAMA chunk's file gamma (encoded = linear ^ gamma), e.g. 1.0 for linear light, 0.45455
    /// for a 2.2 display gamma.
    public var gamma: Double?
    /// The cHRM chunk: white, red, green, blue xy.
    public var chromaticities: [SIMD2<Double>]?
    /// The name of the embedded ICC profile (iCCP chunk), e.g. `sRGB IEC61966-2.1`; the profile
    /// itself is not read.
    public var iccProfile: String?

    /// Reads the chunks of `url`; a file that is not a PNG, or whose chunks end early, reads as
    /// having no tags (the decoder reports damaged files).
    public static func read(_ url: URL) -> PNGColorTags {
        var tags = PNGColorTags()
        guard let handle = try? FileHandle(forReadingFrom: url) else { return tags }
        defer { try? handle.close() }
        // Colour chunks must come before IDAT, which comes early: 64 KiB is plenty.
        guard let data = try? handle.read(upToCount: 65536), data.count > 8,
              Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return tags }
        let bytes = [UInt8](data)
        func u32(_ i: Int) -> UInt32 { bytes[i..<(i + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        var at = 8
        while at + 8 <= bytes.count {
            let length = Int(u32(at)), type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
            let body = at + 8
            guard type != "IDAT", type != "IEND", body + length <= bytes.count else { break }
            switch type {
            case "sRGB": tags.srgb = true
            case "gAMA" where length == 4: tags.gamma = Double(u32(body)) / 100000
            case "cHRM" where length == 32:
                tags.chromaticities = (0..<4).map { SIMD2(Double(u32(body + 8 * $0)) / 100000, Double(u32(body + 8 * $0 + 4)) / 100000) }
            case "iCCP":
                // A Latin-1 name of 1-79 bytes, a NUL, then the compressed profile.
                let name = bytes[body..<(body + length)].prefix { $0 != 0 }.prefix(79)
                tags.iccProfile = String(decoding: name.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            default: break
            }
            at = body + length + 4
        }
        return tags
    }
}
