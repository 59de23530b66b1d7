import Imaging

/// The swapped face alone, premultiplied by its matte, such that `patch over plate` is the
/// composite: `A = matte`, `RGB = composite - (1 - A) * plate` (the swap plus the plate's own part
/// the codec cannot show, times the matte), 0 where the matte is 0. Computed from the finished
/// composite, so overlapping faces and the difference paste-back come out exactly.
public struct PremultipliedPatch: Sendable {
    /// R, G, B, A of `box`.
    public var image: ImageBuffer
    /// The matte's bounding box in buffer pixels (inclusive corners).
    public var box: (xMin: Int, yMin: Int, xMax: Int, yMax: Int)

    /// nil when the matte is 0 everywhere. `alphaRounding` is applied to the matte before the colour
    /// is derived from it, so the alpha a file stores (e.g. half) is the one the colour was made for.
    public static func make(plate: ImageBuffer, composite: ImageBuffer, matte: [Float],
                            alphaRounding: (Float) -> Float = { $0 }) -> PremultipliedPatch? {
        let width = plate.width
        var (xMin, yMin, xMax, yMax) = (Int.max, Int.max, Int.min, Int.min)
        for y in 0..<plate.height {
            let row = y * width
            for x in 0..<width where matte[row + x] > 0 {
                xMin = min(xMin, x); xMax = max(xMax, x)
                yMin = min(yMin, y); yMax = max(yMax, y)
            }
        }
        guard xMin <= xMax else { return nil }
        let (w, h) = (xMax - xMin + 1, yMax - yMin + 1)
        var image = ImageBuffer(width: w, height: h, channels: ["R", "G", "B", "A"])
        let names = ["R", "G", "B"]
        let platePlanes = names.map { plate[channel: $0] }, outPlanes = names.map { composite[channel: $0] }
        for y in 0..<h {
            for x in 0..<w {
                let source = (y + yMin) * width + x + xMin, target = y * w + x
                let a = alphaRounding(min(max(matte[source], 0), 1))
                guard a > 0 else { continue }
                image.planes[3][target] = a
                for c in 0..<3 {
                    let p = platePlanes[c][source], out = outPlanes[c][source]
                    // A non-finite plate pixel cannot be held out of the over: the swap alone, premultiplied.
                    image.planes[c][target] = p.isFinite ? out - (1 - a) * p : a * out
                }
            }
        }
        return PremultipliedPatch(image: image, box: (xMin, yMin, xMax, yMax))
    }
}
