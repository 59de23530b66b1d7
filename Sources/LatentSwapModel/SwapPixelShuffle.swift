/// Pixel shuffle (depth to space) by 2: [N, 4C, H, W] -> [N, C, 2H, 2W], channel c*4 + dy*2 + dx
/// going to offset (dy, dx), as in PyTorch's nn.PixelShuffle.
final class SwapPixelShuffle: SwapLayer {
    var parameters: [SwapParameter] { [] }
    func cost(c: Int, h: Int, w: Int) -> (flops: Double, c: Int, h: Int, w: Int) { (0, c / 4, h * 2, w * 2) }

    func forward(_ x: SwapTensor) -> SwapTensor {
        precondition(x.c % 4 == 0, "SwapPixelShuffle: \(x.c) channels is not a multiple of 4")
        var y = SwapTensor(zeros: x.n, x.c / 4, x.h * 2, x.w * 2)
        SwapPixelShuffle.move(x.n, x.c / 4, x.h, x.w) { src, dst in y.data[dst] = x.data[src] }
        return y
    }

    func backward(_ dy: SwapTensor) -> SwapTensor {
        var dx = SwapTensor(zeros: dy.n, dy.c * 4, dy.h / 2, dy.w / 2)
        SwapPixelShuffle.move(dx.n, dy.c, dx.h, dx.w) { src, dst in dx.data[src] = dy.data[dst] }
        return dx
    }

    /// Calls `body(inputIndex, outputIndex)` for every element.
    private static func move(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ body: (Int, Int) -> Void) {
        for b in 0..<n {
            for ch in 0..<c {
                for sub in 0..<4 {
                    let dy = sub / 2, dx = sub % 2
                    let srcPlane = ((b * c * 4) + ch * 4 + sub) * h * w
                    let dstPlane = (b * c + ch) * 4 * h * w
                    for y in 0..<h {
                        for x in 0..<w {
                            body(srcPlane + y * w + x, dstPlane + (2 * y + dy) * 2 * w + 2 * x + dx)
                        }
                    }
                }
            }
        }
    }
}
