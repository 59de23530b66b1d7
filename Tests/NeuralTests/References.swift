import XCTest
@testable import Neural

/// Naive loop implementations (in Double) that the optimised ops are checked against.
enum Reference {
    static func conv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, pad: Padding, dilation: Int = 1, groups: Int) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let ho = (h + pad.top + pad.bottom - (kh - 1) * dilation - 1) / stride + 1
        let wo = (wd + pad.left + pad.right - (kw - 1) * dilation - 1) / stride + 1
        let og = o / groups
        var out = Tensor.zeros([n, o, ho, wo])
        for b0 in 0..<n { for oc in 0..<o { for oy in 0..<ho { for ox in 0..<wo {
            var s = Double(b?.data[oc] ?? 0)
            let g = oc / og
            for ci in 0..<cg { for ky in 0..<kh { for kx in 0..<kw {
                let iy = oy * stride + ky * dilation - pad.top, ix = ox * stride + kx * dilation - pad.left
                if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
                s += Double(x.data[((b0 * c + g * cg + ci) * h + iy) * wd + ix]) * Double(w.data[((oc * cg + ci) * kh + ky) * kw + kx])
            } } }
            out.data[((b0 * o + oc) * ho + oy) * wo + ox] = Float(s)
        } } } }
        return out
    }

    static func softmax(_ v: [Double]) -> [Double] {
        let m = v.max() ?? 0
        let e = v.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}

func assertClose(_ a: Tensor, _ b: Tensor, tolerance: Float, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, message, file: file, line: line)
    guard a.shape == b.shape else { return }
    let scale = max(1, b.maxAbs)
    let diff = a.maxAbsDifference(b)
    XCTAssertLessThanOrEqual(diff, tolerance * scale, "max abs difference \(diff) \(message)", file: file, line: line)
}

/// Shared test data (`<repo>/../shared`, or PLATESWAP_SHARED).
let sharedFolder: URL = {
    if let env = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: env) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
}()
