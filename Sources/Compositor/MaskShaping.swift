import Foundation

/// Mask erode/dilate and edge blur, in crop pixels, on a `width` x `height` plane of [0, 1] values.
public enum MaskShaping {
    /// Erodes by `pixels` (negative dilates), then blurs with a Gaussian of radius `blur`
    /// (sigma = blur / 2), then zeroes the outermost crop pixels so the mask is 0 wherever the
    /// paste-back samples at or beyond the crop border.
    public static func shape(_ mask: [Float], width: Int, height: Int, erode pixels: Int, blur: Int) -> [Float] {
        precondition(mask.count == width * height, "mask size mismatch")
        var m = mask.map { $0.isNaN ? 0 : min(max($0, 0), 1) }
        if pixels > 0 { m = minMax(m, width: width, height: height, radius: pixels, erode: true) }
        if pixels < 0 { m = minMax(m, width: width, height: height, radius: -pixels, erode: false) }
        if blur > 0 { m = gaussian(m, width: width, height: height, sigma: Float(blur) / 2, radius: blur) }
        for x in 0..<width { m[x] = 0; m[(height - 1) * width + x] = 0 }
        for y in 0..<height { m[y * width] = 0; m[y * width + width - 1] = 0 }
        return m
    }

    /// Separable square min (erode) or max (dilate) filter; outside the image counts as 0.
    static func minMax(_ m: [Float], width: Int, height: Int, radius: Int, erode: Bool) -> [Float] {
        func pass(_ src: [Float], along x: Bool) -> [Float] {
            var dst = src
            let (n, lines) = x ? (width, height) : (height, width)
            for line in 0..<lines {
                for i in 0..<n {
                    var v: Float = erode ? 1 : 0
                    for k in (i - radius)...(i + radius) {
                        let s: Float = (k < 0 || k >= n) ? 0 : (x ? src[line * width + k] : src[k * width + line])
                        v = erode ? min(v, s) : max(v, s)
                    }
                    dst[x ? line * width + i : i * width + line] = v
                }
            }
            return dst
        }
        return pass(pass(m, along: true), along: false)
    }

    /// Separable Gaussian; outside the image counts as 0 (so the blurred edge fades at the border).
    static func gaussian(_ m: [Float], width: Int, height: Int, sigma: Float, radius: Int) -> [Float] {
        var kernel = (-radius...radius).map { k in expf(-Float(k * k) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func pass(_ src: [Float], along x: Bool) -> [Float] {
            var dst = src
            let (n, lines) = x ? (width, height) : (height, width)
            for line in 0..<lines {
                for i in 0..<n {
                    var v: Float = 0
                    for k in -radius...radius where i + k >= 0 && i + k < n {
                        v += kernel[k + radius] * (x ? src[line * width + i + k] : src[(i + k) * width + line])
                    }
                    dst[x ? line * width + i : i * width + line] = v
                }
            }
            return dst
        }
        return pass(pass(m, along: true), along: false)
    }
}
