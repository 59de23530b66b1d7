import Imaging

/// Samples channels of an image through an affine map (output pixel -> source pixel), bilinear,
/// with edge pixels replicated outside the image (OpenCV INTER_LINEAR + BORDER_REPLICATE; pixel
/// centres at integer coordinates). Output is interleaved HWC.
func sampleBilinearReplicate(_ image: ImageBuffer, channels: [String], map: Affine2D, width: Int, height: Int,
                             scale: Float = 1) -> [Float]
{
    let planes = channels.map { image[channel: $0] }
    let w = image.width, h = image.height
    let nc = planes.count
    var out = [Float](repeating: 0, count: width * height * nc)
    for oy in 0..<height {
        for ox in 0..<width {
            let p = map.apply(SIMD2(Double(ox), Double(oy)))
            let fx = p.x.rounded(.down), fy = p.y.rounded(.down)
            let ax = Float(p.x - fx), ay = Float(p.y - fy)
            let x0 = clampIndex(fx, w), x1 = clampIndex(fx + 1, w), y0 = clampIndex(fy, h), y1 = clampIndex(fy + 1, h)
            for c in 0..<nc {
                let plane = planes[c]
                let top = plane[y0 * w + x0] * (1 - ax) + plane[y0 * w + x1] * ax
                let bottom = plane[y1 * w + x0] * (1 - ax) + plane[y1 * w + x1] * ax
                out[(oy * width + ox) * nc + c] = (top * (1 - ay) + bottom * ay) * scale
            }
        }
    }
    return out
}

@inline(__always) private func clampIndex(_ v: Double, _ n: Int) -> Int {
    v.isFinite ? Int(max(0, min(Double(n - 1), v))) : 0
}
