import Foundation

/// Where the shared test data lives: `PLATESWAP_SHARED`, else `../shared` beside the checkout.
enum CodecTestData {
    static let shared: URL = {
        if let path = ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared").standardizedFileURL
    }()

    static var heavy: Bool { ProcessInfo.processInfo.environment["PLATESWAP_HEAVY"] == "1" }
}

import LatentSwapModel
import Neural
import PlateIO

extension CodecTestData {
    static func maxAbs(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) vs \(b.shape)")
        return zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    static func meanAbs(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) vs \(b.shape)")
        return zip(a.data, b.data).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(a.count)
    }
}

extension CodecTestData {
    /// PSNR in dB of `a` against `b` after clamping both to [0,1].
    static func psnr(_ a: Tensor, _ b: Tensor) -> Double {
        let mse = zip(a.data, b.data).reduce(0.0) { sum, pair in
            let d = Double(min(max(pair.0, 0), 1) - min(max(pair.1, 0), 1))
            return sum + d * d
        } / Double(a.count)
        return 10 * log10(1 / max(mse, 1e-20))
    }
}

extension CodecTestData {
    /// A PNG's R, G, B code values / 255 as a 1 x 3 x H x W tensor.
    static func loadPNG(_ url: URL) throws -> Tensor {
        try CodecImageTensor.tensor(fromRGB: PNGFile.read(url), source: url.path)
    }
}
