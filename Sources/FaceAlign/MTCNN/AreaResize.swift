/// PyTorch `interpolate(mode="area")` (adaptive average pooling) of planar channels: output cell i
/// averages input rows floor(i*H/oh) ..< ceil((i+1)*H/oh), likewise for columns. Like PyTorch's
/// kernel it sums the window row by row and divides by its height, then by its width (one division
/// by the area can round differently).
/// `source` holds `channels` planes of `height` x `width`; the region read is rows `y0 ..< y0+height`
/// and columns `x0 ..< x0+width` of planes that are `stride` wide.
func areaResize(_ source: UnsafePointer<Float>, planeSize: Int, stride: Int, channels: Int,
                x0: Int, y0: Int, width: Int, height: Int, outWidth: Int, outHeight: Int,
                into out: UnsafeMutablePointer<Float>)
{
    let cols = (0..<outWidth).map { ((($0 * width) / outWidth), (($0 + 1) * width + outWidth - 1) / outWidth) }
    let rows = (0..<outHeight).map { ((($0 * height) / outHeight), (($0 + 1) * height + outHeight - 1) / outHeight) }
    for c in 0..<channels {
        let plane = source + c * planeSize
        let dst = out + c * outWidth * outHeight
        for (oy, (r0, r1)) in rows.enumerated() {
            for (ox, (c0, c1)) in cols.enumerated() {
                var sum: Float = 0
                for r in r0..<r1 {
                    let row = plane + (y0 + r) * stride + x0
                    for q in c0..<c1 { sum += row[q] }
                }
                dst[oy * outWidth + ox] = sum / Float(r1 - r0) / Float(c1 - c0)
            }
        }
    }
}
