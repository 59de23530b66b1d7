/// Nearest-neighbour upsampling by an integer factor and pixel shuffle (depth to space), NCHW.
public func upsampleNearest(_ x: Tensor, scale: Int) -> Tensor {
    let (n, c, h, w) = x.nchw("upsampleNearest")
    shapeCheck(scale >= 1, "upsampleNearest scale \(scale) must be >= 1")
    let (oh, ow) = (h * scale, w * scale)
    var out = [Float](repeating: 0, count: n * c * oh * ow)
    x.data.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
        for plane in 0..<(n * c) {
            for oy in 0..<oh {
                let srow = plane * h * w + (oy / scale) * w, drow = plane * oh * ow + oy * ow
                for ox in 0..<ow { dst[drow + ox] = src[srow + ox / scale] }
            }
        }
    } }
    return Tensor(shape: [n, c, oh, ow], data: out)
}

public func upsampleNearest(_ x: Var, scale: Int) -> Var {
    x.tape.record(upsampleNearest(x.value, scale: scale)) { dy, tape in
        let (n, c, h, w) = tape.values[x.index].nchw("upsampleNearest")
        let ow = w * scale
        var dx = Tensor.zeros([n, c, h, w])
        for plane in 0..<(n * c) { for oy in 0..<(h * scale) { for ox in 0..<ow {
            dx.data[plane * h * w + (oy / scale) * w + ox / scale] += dy.data[plane * h * scale * ow + oy * ow + ox]
        } } }
        tape.accumulate(x, dx)
    }
}

/// Channel order of depth-to-space: PyTorch `pixel_shuffle` takes channel `c*r*r + dy*r + dx`;
/// TensorFlow `depth_to_space` (NHWC) takes `(dy*r + dx)*C + c`.
public enum PixelShuffleOrder: Sendable { case pytorch, tensorflow }

/// [N, C*r*r, H, W] -> [N, C, H*r, W*r]: the output's shape, after checking the input's.
func pixelShuffleShape(_ shape: [Int], r: Int) -> [Int] {
    shapeCheck(shape.count == 4, "pixelShuffle expects NCHW, got \(shape)")
    shapeCheck(r >= 1 && shape[1] % (r * r) == 0, "pixelShuffle: \(shape[1]) channels are not divisible by \(r)x\(r) (shape \(shape))")
    return [shape[0], shape[1] / (r * r), shape[2] * r, shape[3] * r]
}

/// Moves every element between the input [N, C*r*r, H, W] and the output [N, C, H*r, W*r] of a
/// depth-to-space: forward copies input to output, backward (the adjoint of a one-to-one
/// permutation is its inverse) output to input. Row by row, so no index table is built.
func pixelShuffleCopy(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, inputShape shape: [Int], r: Int,
                      order: PixelShuffleOrder, backward: Bool) {
    let (n, cin, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let c = cin / (r * r), (oh, ow) = (h * r, w * r)
    for b in 0..<n { for ch in 0..<c { for oy in 0..<oh {
        let (dy, y) = (oy % r, oy / r)
        let outRow = output + ((b * c + ch) * oh + oy) * ow
        for dx in 0..<r {
            let srcC = order == .pytorch ? ch * r * r + dy * r + dx : (dy * r + dx) * c + ch
            let inRow = input + ((b * cin + srcC) * h + y) * w
            if backward {
                for x in 0..<w { inRow[x] = outRow[x * r + dx] }
            } else {
                for x in 0..<w { outRow[x * r + dx] = inRow[x] }
            }
        }
    } } }
}

public func pixelShuffle(_ x: Tensor, factor r: Int, order: PixelShuffleOrder = .pytorch) -> Tensor {
    let shape = pixelShuffleShape(x.shape, r: r)
    var out = [Float](repeating: 0, count: x.count)
    x.data.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in
        // Forward only reads the input.
        pixelShuffleCopy(input: UnsafeMutablePointer(mutating: i.baseAddress!), output: o.baseAddress!, inputShape: x.shape, r: r, order: order, backward: false)
    } }
    return Tensor(shape: shape, data: out)
}

public func pixelShuffle(_ x: Var, factor r: Int, order: PixelShuffleOrder = .pytorch) -> Var {
    x.tape.record(pixelShuffle(x.value, factor: r, order: order)) { dy, tape in
        let inputShape = tape.values[x.index].shape
        var dx = [Float](repeating: 0, count: dy.count)
        dx.withUnsafeMutableBufferPointer { i in dy.data.withUnsafeBufferPointer { o in
            // Backward only reads the output's gradient.
            pixelShuffleCopy(input: i.baseAddress!, output: UnsafeMutablePointer(mutating: o.baseAddress!), inputShape: inputShape, r: r, order: order, backward: true)
        } }
        tape.accumulate(x, Tensor(shape: inputShape, data: dx))
    }
}
