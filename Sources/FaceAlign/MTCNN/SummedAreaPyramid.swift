/// The MTCNN pyramid levels of an integer-valued image (8-bit levels, as upstream always gets)
/// from one summed-area table per channel: each level costs 4 reads per output pixel instead of a
/// pass over the whole frame, which is what makes the full 4K pyramid affordable.
///
/// Exactly `areaResize`'s (and PyTorch's) values: a window's sum of whole numbers is exact in the
/// table (UInt32 with wrap-around: only window sums must fit), and PyTorch's float loop is exact too
/// while the sum stays below 2^24 (windows of up to 65,793 pixels at 255: every level of a 4K frame);
/// it is then divided by the window height and then its width, as PyTorch does.
struct SummedAreaPyramid {
    let width, height: Int
    private var tables: [[UInt32]]

    /// Nil when a value is not a whole number in 0 ..< 2^24 (then `areaResize` does the levels).
    init?(rgb: [Float], width: Int, height: Int) {
        self.width = width
        self.height = height
        let stride = width + 1
        var tables: [[UInt32]] = []
        for c in 0..<3 {
            var table = [UInt32](repeating: 0, count: (height + 1) * stride)
            let ok = rgb.withUnsafeBufferPointer { src -> Bool in
                table.withUnsafeMutableBufferPointer { t -> Bool in
                    let plane = src.baseAddress! + c * width * height
                    for y in 0..<height {
                        var rowSum: UInt32 = 0
                        let row = plane + y * width
                        let above = (y) * stride, here = (y + 1) * stride
                        for x in 0..<width {
                            let v = row[x]
                            guard v >= 0, v < 16_777_216, v == v.rounded(.towardZero) else { return false }
                            rowSum = rowSum &+ UInt32(v)
                            t[here + x + 1] = t[above + x + 1] &+ rowSum
                        }
                    }
                    return true
                }
            }
            guard ok else { return nil }
            tables.append(table)
        }
        self.tables = tables
    }

    /// One level, `outWidth` x `outHeight`, 3 planes (adaptive average pooling windows).
    func level(outWidth: Int, outHeight: Int) -> [Float] {
        let cols = (0..<outWidth).map { (($0 * width) / outWidth, (($0 + 1) * width + outWidth - 1) / outWidth) }
        let rows = (0..<outHeight).map { (($0 * height) / outHeight, (($0 + 1) * height + outHeight - 1) / outHeight) }
        let stride = width + 1
        var out = [Float](repeating: 0, count: 3 * outWidth * outHeight)
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<3 {
                tables[c].withUnsafeBufferPointer { t in
                    let dst = o.baseAddress! + c * outWidth * outHeight
                    for (oy, (r0, r1)) in rows.enumerated() {
                        let top = r0 * stride, bottom = r1 * stride
                        let kh = Float(r1 - r0)
                        for (ox, (c0, c1)) in cols.enumerated() {
                            let sum = t[bottom + c1] &- t[top + c1] &- t[bottom + c0] &+ t[top + c0]
                            dst[oy * outWidth + ox] = Float(sum) / kh / Float(c1 - c0)
                        }
                    }
                }
            }
        }
        return out
    }
}
