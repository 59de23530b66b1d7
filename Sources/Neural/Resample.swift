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

/// [N, C*r*r, H, W] -> [N, C, H*r, W*r]. Returns, for each output index, its input index.
func pixelShuffleIndex(_ shape: [Int], r: Int, order: PixelShuffleOrder) -> (shape: [Int], source: [Int]) {
    shapeCheck(shape.count == 4, "pixelShuffle expects NCHW, got \(shape)")
    let (n, cin, h, w) = (shape[0], shape[1], shape[2], shape[3])
    shapeCheck(r >= 1 && cin % (r * r) == 0, "pixelShuffle: \(cin) channels are not divisible by \(r)x\(r) (shape \(shape))")
    let c = cin / (r * r), (oh, ow) = (h * r, w * r)
    var source = [Int](repeating: 0, count: n * c * oh * ow)
    var i = 0
    for b in 0..<n { for ch in 0..<c { for oy in 0..<oh { for ox in 0..<ow {
        let (dy, dx) = (oy % r, ox % r)
        let srcC = order == .pytorch ? ch * r * r + dy * r + dx : (dy * r + dx) * c + ch
        source[i] = ((b * cin + srcC) * h + oy / r) * w + ox / r
        i += 1
    } } } }
    return ([n, c, oh, ow], source)
}

public func pixelShuffle(_ x: Tensor, factor r: Int, order: PixelShuffleOrder = .pytorch) -> Tensor {
    let (shape, source) = pixelShuffleIndex(x.shape, r: r, order: order)
    return Tensor(shape: shape, data: source.map { x.data[$0] })
}

public func pixelShuffle(_ x: Var, factor r: Int, order: PixelShuffleOrder = .pytorch) -> Var {
    let (shape, source) = pixelShuffleIndex(x.shape, r: r, order: order)
    return x.tape.record(Tensor(shape: shape, data: source.map { x.value.data[$0] })) { dy, tape in
        var dx = Tensor.zeros(tape.values[x.index].shape)
        for (i, s) in source.enumerated() { dx.data[s] += dy.data[i] }
        tape.accumulate(x, dx)
    }
}
