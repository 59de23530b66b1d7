/// Layers applied in order; backward runs them in reverse.
final class SwapSequential: SwapLayer {
    let layers: [SwapLayer]

    init(_ layers: [SwapLayer]) { self.layers = layers }

    var parameters: [SwapParameter] { layers.flatMap(\.parameters) }

    func forward(_ x: SwapTensor) -> SwapTensor { layers.reduce(x) { $1.forward($0) } }

    func backward(_ dy: SwapTensor) -> SwapTensor { layers.reversed().reduce(dy) { $1.backward($0) } }

    func cost(c: Int, h: Int, w: Int) -> (flops: Double, c: Int, h: Int, w: Int) {
        var total = 0.0, shape = (c, h, w)
        for layer in layers {
            let step = layer.cost(c: shape.0, h: shape.1, w: shape.2)
            total += step.flops
            shape = (step.c, step.h, step.w)
        }
        return (total, shape.0, shape.1, shape.2)
    }
}

/// Residual block: y = lrelu(x + conv2(lrelu(conv1(x)))), channels unchanged.
final class SwapResidualBlock: SwapLayer {
    let body: SwapSequential
    let activation = SwapLeakyReLU(slope: 0.2)

    init(name: String, channels: Int, random: inout SwapRandom) {
        body = SwapSequential([
            SwapConv2d(name: name + ".conv1", in: channels, out: channels, random: &random),
            SwapLeakyReLU(slope: 0.2),
            // Small last-layer weights start the block close to the identity.
            SwapConv2d(name: name + ".conv2", in: channels, out: channels, random: &random, gain: 0.5),
        ])
    }

    var parameters: [SwapParameter] { body.parameters }

    func forward(_ x: SwapTensor) -> SwapTensor {
        var sum = body.forward(x)
        for i in 0..<sum.count { sum.data[i] += x.data[i] }
        return activation.forward(sum)
    }

    func backward(_ dy: SwapTensor) -> SwapTensor {
        let dsum = activation.backward(dy)
        var dx = body.backward(dsum)
        for i in 0..<dx.count { dx.data[i] += dsum.data[i] }
        return dx
    }

    func cost(c: Int, h: Int, w: Int) -> (flops: Double, c: Int, h: Int, w: Int) {
        let inner = body.cost(c: c, h: h, w: w)
        return (inner.flops + 2 * Double(c * h * w), c, h, w)
    }
}
