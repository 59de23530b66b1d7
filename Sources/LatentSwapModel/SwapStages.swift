import Neural

/// Channels and size of a feature map, for parameter and FLOP counts.
struct SwapShape: Equatable { var c: Int, h: Int, w: Int }

/// One stage of the swap network. Runs on tensors for inference or records itself on a tape for
/// training; the backward passes are Neural's.
protocol SwapStage: AnyObject {
    var parameters: [Parameter] { get }
    func forward(_ x: Tensor) -> Tensor
    func forward(_ x: Var) -> Var
    /// FLOPs (2 per multiply-add) per sample for an input of `shape`, and the output shape.
    func cost(_ shape: SwapShape) -> (flops: Double, out: SwapShape)
}

/// 3x3 (or 1x1) convolution with "same" padding, stride 1 or 2, weights named `NAME.weight/bias`.
final class SwapConv: SwapStage {
    let conv: Conv2d
    let kernel: Int
    /// Whether the weights keep ICNR's sub-pixel copies when drawn again (`SwapInitialisation`).
    let icnr: Bool

    /// `icnr`: the layer feeds a pixel shuffle by 2; its weights start as ICNR (Aitken et al.
    /// 2017): one kernel drawn per output channel and copied to its 4 sub-pixel positions, so the
    /// shuffled output starts as a nearest-neighbour upsampling (no checkerboard) and training
    /// moves away from it.
    init(_ name: String, in cin: Int, out cout: Int, kernel: Int = 3, stride: Int = 1, gain: Float = 1, icnr: Bool = false,
         random: inout SeededRandom) {
        // He initialisation; `gain` < 1 starts residual branches and output layers small.
        let std = gain * (2 / Float(cin * kernel * kernel)).squareRoot()
        let weight = icnr ? SwapConv.icnr(random.normalTensor([cout / 4, cin, kernel, kernel], std: std))
                          : random.normalTensor([cout, cin, kernel, kernel], std: std)
        conv = Conv2d(weight: weight, bias: .zeros([cout]), stride: stride, padding: kernel / 2)
        conv.weight.name = name + ".weight"
        conv.bias?.name = name + ".bias"
        self.kernel = kernel
        self.icnr = icnr
    }

    /// [C, in, k, k] -> [4C, in, k, k] with output channel 4c + s = kernel c (PyTorch pixel-shuffle order).
    static func icnr(_ base: Tensor) -> Tensor {
        let per = base.count / base.shape[0]
        var data: [Float] = []
        data.reserveCapacity(base.count * 4)
        for c in 0..<base.shape[0] {
            let kernel = base.data[(c * per)..<((c + 1) * per)]
            for _ in 0..<4 { data += kernel }
        }
        return Tensor(shape: [base.shape[0] * 4] + Array(base.shape.dropFirst()), data: data)
    }

    var parameters: [Parameter] { [conv.weight] + (conv.bias.map { [$0] } ?? []) }
    func forward(_ x: Tensor) -> Tensor { conv.forward(x) }
    func forward(_ x: Var) -> Var { conv.forward(x) }

    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) {
        let pad = kernel / 2, stride = conv.stride
        let out = SwapShape(c: conv.outChannels, h: (s.h + 2 * pad - kernel) / stride + 1, w: (s.w + 2 * pad - kernel) / stride + 1)
        return (2 * Double(s.c * kernel * kernel * out.c * out.h * out.w), out)
    }
}

/// Leaky ReLU (slope 0.1, as DeepFaceLab's models).
final class SwapLeakyReLU: SwapStage {
    var slope: Float
    /// Test hooks for gradient checks: `inputObserver` sees every input (pre-activations near the
    /// kink at 0); with `frozenGates` set, the stage multiplies by those fixed factors (1 or
    /// `slope` per element) instead, i.e. the network stays in one linear region.
    var inputObserver: ((Tensor) -> Void)?
    var frozenGates: Tensor?

    init(slope: Float = 0.1) { self.slope = slope }
    var parameters: [Parameter] { [] }
    func forward(_ x: Tensor) -> Tensor {
        inputObserver?(x)
        if let gates = frozenGates { return mul(x, gates) }
        return leakyReLU(x, slope: slope)
    }
    func forward(_ x: Var) -> Var {
        inputObserver?(x.value)
        if let gates = frozenGates { return mul(x, constant(gates, on: x.tape)) }
        return leakyReLU(x, slope: slope)
    }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) { (Double(s.c * s.h * s.w), s) }
}

/// Pixel shuffle by 2 (PyTorch channel order): [N, 4C, H, W] -> [N, C, 2H, 2W].
final class SwapPixelShuffle: SwapStage {
    var parameters: [Parameter] { [] }
    func forward(_ x: Tensor) -> Tensor { pixelShuffle(x, factor: 2) }
    func forward(_ x: Var) -> Var { pixelShuffle(x, factor: 2) }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) { (0, SwapShape(c: s.c / 4, h: s.h * 2, w: s.w * 2)) }
}

/// Stages applied in order.
final class SwapChain: SwapStage {
    let stages: [SwapStage]
    init(_ stages: [SwapStage]) { self.stages = stages }
    var parameters: [Parameter] { stages.flatMap(\.parameters) }
    func forward(_ x: Tensor) -> Tensor { stages.reduce(x) { $1.forward($0) } }
    func forward(_ x: Var) -> Var { stages.reduce(x) { $1.forward($0) } }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) {
        stages.reduce((0.0, s)) { acc, stage in
            let step = stage.cost(acc.1)
            return (acc.0 + step.flops, step.out)
        }
    }
}

/// Residual block: y = lrelu(x + conv2(lrelu(conv1(x)))), slope 0.2, channels unchanged.
final class SwapResidualBlock: SwapStage {
    let body: SwapChain
    let output = SwapLeakyReLU(slope: 0.2)

    init(_ name: String, channels: Int, random: inout SeededRandom) {
        body = SwapChain([
            SwapConv(name + ".conv1", in: channels, out: channels, random: &random),
            SwapLeakyReLU(slope: 0.2),
            SwapConv(name + ".conv2", in: channels, out: channels, gain: 0.5, random: &random),
        ])
    }

    var parameters: [Parameter] { body.parameters }
    func forward(_ x: Tensor) -> Tensor { output.forward(add(body.forward(x), x)) }
    func forward(_ x: Var) -> Var { output.forward(add(body.forward(x), x)) }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) { (body.cost(s).flops + 2 * Double(s.c * s.h * s.w), s) }
}

extension SwapChain {
    /// Every leaky ReLU in the chain, nested ones included (tests make the network linear to check
    /// its wiring exactly, away from the kinks).
    var activations: [SwapLeakyReLU] {
        stages.flatMap { stage -> [SwapLeakyReLU] in
            if let a = stage as? SwapLeakyReLU { return [a] }
            if let c = stage as? SwapChain { return c.activations }
            if let r = stage as? SwapResidualBlock { return r.body.activations + [r.output] }
            return []
        }
    }
}
