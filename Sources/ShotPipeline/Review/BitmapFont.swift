import Imaging

/// A 5x7 pixel font for burning frame numbers and short labels into review images (no font files,
/// no text library). Upper-case letters that the labels use, digits, '-', ':' and space.
public enum BitmapFont {
    public static let glyphWidth = 5, glyphHeight = 7
    /// Glyph width plus one column of spacing.
    public static let advance = 6

    /// Rows top to bottom; bit 4 is the leftmost column.
    static let glyphs: [Character: [UInt8]] = [
        "0": [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        "1": [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        "2": [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
        "3": [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110],
        "4": [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
        "5": [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
        "6": [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
        "7": [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
        "8": [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
        "9": [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
        "-": [0b00000, 0b00000, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000],
        ":": [0b00000, 0b01100, 0b01100, 0b00000, 0b01100, 0b01100, 0b00000],
        " ": [0, 0, 0, 0, 0, 0, 0],
        "A": [0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001],
        "C": [0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110],
        "O": [0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110],
        "R": [0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001],
        "E": [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111],
        "G": [0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01111],
        "I": [0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        "L": [0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111],
        "M": [0b10001, 0b11011, 0b10101, 0b10101, 0b10001, 0b10001, 0b10001],
        "N": [0b10001, 0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001],
        "P": [0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000],
        "S": [0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110],
        "T": [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100],
        "W": [0b10001, 0b10001, 0b10001, 0b10101, 0b10101, 0b10101, 0b01010],
    ]

    /// The bits of a character's glyph (unknown characters draw as a blank).
    public static func glyph(_ character: Character) -> [UInt8] {
        glyphs[Character(character.uppercased())] ?? glyphs[" "]!
    }

    /// Size of `text` drawn by `draw` at `scale`, including its one-unit black margin.
    public static func size(of text: String, scale: Int) -> (width: Int, height: Int) {
        ((advance * text.count + 1) * scale, (glyphHeight + 2) * scale)
    }

    /// Draws `text` in `value` on a black box whose top-left corner is (x, y), into channels R, G, B;
    /// each font pixel is `scale` x `scale` image pixels. Parts outside the image are clipped.
    public static func draw(_ text: String, into image: inout ImageBuffer, x: Int, y: Int, scale: Int, value: Float = 1) {
        let (boxWidth, boxHeight) = size(of: text, scale: scale)
        let channels = ["R", "G", "B"].compactMap(image.channelIndex)
        let width = image.width, height = image.height
        func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int, _ v: Float) {
            let (top, bottom, left, right) = (max(0, y0), min(height, y0 + h), max(0, x0), min(width, x0 + w))
            guard top < bottom, left < right else { return }
            for py in top..<bottom {
                for px in left..<right {
                    for c in channels { image.planes[c][py * width + px] = v }
                }
            }
        }
        fill(x, y, boxWidth, boxHeight, 0)
        for (index, character) in text.enumerated() {
            let rows = glyph(character)
            let left = x + (1 + index * advance) * scale
            for (row, bits) in rows.enumerated() {
                for column in 0..<glyphWidth where bits & (1 << (glyphWidth - 1 - column)) != 0 {
                    fill(left + column * scale, y + (1 + row) * scale, scale, scale, value)
                }
            }
        }
    }
}
