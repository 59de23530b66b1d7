/// Max and average pooling over NCHW with PyTorch's output-size rules, including ceil mode.
public struct PoolGeometry: Sendable {
    public let kernel: Int, stride: Int, padding: Int, ceilMode: Bool
    let n: Int, c: Int, h: Int, w: Int, ho: Int, wo: Int

    init(_ shape: [Int], kernel: Int, stride: Int, padding: Int, ceilMode: Bool, op: String) {
        shapeCheck(shape.count == 4, "\(op) expects NCHW, got \(shape)")
        shapeCheck(kernel >= 1 && stride >= 1 && padding >= 0 && padding * 2 <= kernel,
                   "\(op): kernel \(kernel), stride \(stride), padding \(padding) (padding must be at most half the kernel)")
        (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        (self.kernel, self.stride, self.padding, self.ceilMode) = (kernel, stride, padding, ceilMode)
        func outSize(_ size: Int) -> Int {
            let span = size + 2 * padding - kernel
            shapeCheck(span >= 0, "\(op): kernel \(kernel) larger than padded input \(shape)")
            var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
            // PyTorch: the last window must start inside the input or left padding.
            if ceilMode && (out - 1) * stride >= size + padding { out -= 1 }
            return out
        }
        ho = outSize(h)
        wo = outSize(w)
    }

    var outShape: [Int] { [n, c, ho, wo] }
}

/// Max pooling; ties go to the first maximum (gradient flows there only).
public func maxPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) -> Tensor {
    maxPoolArgmax(x, PoolGeometry(x.shape, kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode, op: "maxPool2d")).0
}

func maxPoolArgmax(_ x: Tensor, _ g: PoolGeometry) -> (Tensor, [Int]) {
    var out = Tensor.zeros(g.outShape)
    var arg = [Int](repeating: 0, count: out.count)
    var i = 0
    for plane in 0..<(g.n * g.c) { for oy in 0..<g.ho { for ox in 0..<g.wo {
        let y0 = oy * g.stride - g.padding, x0 = ox * g.stride - g.padding
        var best = -Float.infinity, bestIndex = -1
        for y in max(0, y0)..<min(g.h, y0 + g.kernel) { for xx in max(0, x0)..<min(g.w, x0 + g.kernel) {
            let j = plane * g.h * g.w + y * g.w + xx
            if x.data[j] > best || bestIndex < 0 { best = x.data[j]; bestIndex = j }
        } }
        out.data[i] = best
        arg[i] = bestIndex
        i += 1
    } } }
    return (out, arg)
}

public func maxPool2d(_ x: Var, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) -> Var {
    let g = PoolGeometry(x.shape, kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode, op: "maxPool2d")
    let (out, arg) = maxPoolArgmax(x.value, g)
    return x.tape.record(out) { dy, tape in
        var dx = Tensor.zeros(tape.values[x.index].shape)
        for (i, j) in arg.enumerated() { dx.data[j] += dy.data[i] }
        tape.accumulate(x, dx)
    }
}

/// Average pooling. `countIncludePad` as PyTorch (divide by the window clipped to the padded
/// input); false divides by the number of real pixels, as TFLite's SAME average pool.
public func avgPool2d(_ x: Tensor, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                      countIncludePad: Bool = true) -> Tensor {
    let g = PoolGeometry(x.shape, kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode, op: "avgPool2d")
    var out = Tensor.zeros(g.outShape)
    avgPoolWindows(g, countIncludePad: countIncludePad) { i, j, weight in out.data[i] += weight * x.data[j] }
    return out
}

/// Calls `visit(outputIndex, inputIndex, weight)` for every input pixel of every window.
func avgPoolWindows(_ g: PoolGeometry, countIncludePad: Bool, _ visit: (Int, Int, Float) -> Void) {
    var i = 0
    for plane in 0..<(g.n * g.c) { for oy in 0..<g.ho { for ox in 0..<g.wo {
        let y0 = oy * g.stride - g.padding, x0 = ox * g.stride - g.padding
        let y1 = min(y0 + g.kernel, g.h + g.padding), x1 = min(x0 + g.kernel, g.w + g.padding)
        let (cy0, cx0, cy1, cx1) = (max(y0, 0), max(x0, 0), min(y1, g.h), min(x1, g.w))
        let divisor = countIncludePad ? (y1 - y0) * (x1 - x0) : (cy1 - cy0) * (cx1 - cx0)
        let weight = divisor > 0 ? 1 / Float(divisor) : 0
        for y in cy0..<max(cy0, cy1) { for xx in cx0..<max(cx0, cx1) { visit(i, plane * g.h * g.w + y * g.w + xx, weight) } }
        i += 1
    } } }
}

public func avgPool2d(_ x: Var, kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
                      countIncludePad: Bool = true) -> Var {
    let g = PoolGeometry(x.shape, kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode, op: "avgPool2d")
    let out = avgPool2d(x.value, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    return x.tape.record(out) { dy, tape in
        var dx = Tensor.zeros(tape.values[x.index].shape)
        avgPoolWindows(g, countIncludePad: countIncludePad) { i, j, weight in dx.data[j] += weight * dy.data[i] }
        tape.accumulate(x, dx)
    }
}
