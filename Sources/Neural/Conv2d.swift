import Foundation

/// How a convolution's forward pass is computed. `.automatic` picks `.direct` for <= 8 outputs per
/// group, `.onednn` for dense layers with >= 3 input and >= 16 output channels, `.gemm` for the rest.
public enum ConvAlgorithm: Sendable { case automatic, gemm, direct, onednn }

/// 2-D convolution, NCHW, weight [out, in/groups, kh, kw] as in PyTorch. The forward pass picks a
/// direct kernel for thin layers (<= 8 outputs per group, incl. depthwise), oneDNN for wide dense
/// layers and tiled im2col + sgemm otherwise; on a tape, oneDNN layers also take their gradients
/// from oneDNN and the others from im2col + sgemm.
public final class Conv2d {
    /// Override for benchmarks and tests; both algorithms give the same result up to rounding.
    public var algorithm: ConvAlgorithm = .automatic
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int
    public let padding: Padding
    public let dilation: Int
    public let groups: Int

    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding, dilation: Int = 1, groups: Int = 1) {
        shapeCheck(weight.rank == 4, "Conv2d weight must be [out, in/groups, kh, kw], got \(weight.shape)")
        if let bias { shapeCheck(bias.shape == [weight.shape[0]], "Conv2d bias shape \(bias.shape) for weight \(weight.shape)") }
        self.weight = Parameter(weight, name: "weight")
        self.bias = bias.map { Parameter($0, name: "bias") }
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
    }

    public convenience init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(weight: weight, bias: bias, stride: stride, padding: Padding(padding), dilation: dilation, groups: groups)
    }

    public var outChannels: Int { weight.value.shape[0] }

    func geometry(_ input: [Int]) -> ConvGeometry {
        ConvGeometry(input: input, weight: weight.value.shape, stride: stride, dilation: dilation, padding: padding, groups: groups)
    }

    /// The oneDNN primitive of the last input shape (inference only), guarded for concurrent callers.
    private var onednn: OneDNNConvolution?
    private let onednnLock = NSLock()

    public func forward(_ x: Tensor) -> Tensor {
        let g = geometry(x.shape)
        return compute(x, g, engine: engine(g))
    }

    /// The engine `.automatic` picks for a geometry: the one rule every path follows.
    static func automaticEngine(_ g: ConvGeometry) -> ConvAlgorithm {
        if g.og <= ConvDirect.maxOutputsPerGroup { return .direct }
        return OneDNNConvolution.enabled && OneDNNConvolution.suits(g) ? .onednn : .gemm
    }

    /// The engine this layer runs for a geometry: `algorithm`, with `.automatic` resolved and
    /// `.onednn` falling back to our kernels when oneDNN is switched off.
    private func engine(_ g: ConvGeometry) -> ConvAlgorithm {
        switch algorithm {
        case .automatic: return Self.automaticEngine(g)
        case .onednn where !OneDNNConvolution.enabled: return Self.automaticEngine(g)
        default: return algorithm
        }
    }

    /// The forward values on `engine` (the tape records the same values); our kernels take over
    /// if oneDNN has no primitive for the shape.
    private func compute(_ x: Tensor, _ g: ConvGeometry, engine: ConvAlgorithm) -> Tensor {
        if engine == .onednn, let out = oneDNNForward(x, g) { return out }
        return conv2d(x, weight: weight.value, bias: bias?.value, geometry: g, algorithm: engine == .onednn ? .automatic : engine)
    }

    /// The engine `.automatic` runs for inputs of this shape.
    public func automaticAlgorithm(input: [Int]) -> ConvAlgorithm { Self.automaticEngine(geometry(input)) }

    /// The implementation oneDNN chose for inputs of this shape, nil where it has none (benchmarks).
    public func oneDNNImplementation(input: [Int]) -> String? {
        onednnLock.lock(); defer { onednnLock.unlock() }
        return primitive(geometry(input))?.implementation
    }

    private func primitive(_ g: ConvGeometry) -> OneDNNConvolution? {
        let shape = [g.n, g.c, g.h, g.w]
        if let cached = onednn, cached.matches(shape, weight: weight.value, bias: bias?.value) { return cached }
        onednn = OneDNNConvolution(g, weight: weight.value, bias: bias?.value)
        return onednn
    }

    /// The gradient primitives of the last input shape (the tape's backward runs on one thread at a
    /// time, but a layer may sit on several tapes).
    private var onednnBackward: OneDNNConvolutionBackward?

    private func oneDNNGradients(_ g: ConvGeometry, input: Tensor, weight: Tensor, gradOutput: Tensor,
                                 hasBias: Bool) -> (dx: Tensor, dw: Tensor, db: Tensor?)? {
        onednnLock.lock(); defer { onednnLock.unlock() }
        let shape = [g.n, g.c, g.h, g.w]
        if onednnBackward.map({ $0.input != shape || $0.hasBias != hasBias }) ?? true {
            onednnBackward = OneDNNConvolutionBackward(g, hasBias: hasBias)
        }
        return onednnBackward?.gradients(input: input, weight: weight, gradOutput: gradOutput)
    }

    /// oneDNN's implementations of the gradients for inputs of this shape, nil where it has none.
    public func oneDNNBackwardImplementation(input: [Int], hasBias: Bool) -> String? {
        OneDNNConvolutionBackward(geometry(input), hasBias: hasBias)?.implementation
    }

    private func oneDNNForward(_ x: Tensor, _ g: ConvGeometry) -> Tensor? {
        // oneDNN writes every element, so the output is not zeroed first.
        let count = g.n * g.o * g.ho * g.wo
        var out = Tensor(shape: [g.n, g.o, g.ho, g.wo], data: [Float](unsafeUninitializedCapacity: count) { _, n in n = count })
        guard out.count > 0 else { return out }
        onednnLock.lock(); defer { onednnLock.unlock() }
        guard let primitive = primitive(g), primitive.forward(x, into: &out) else { return nil }
        return out
    }

    /// Multiply-adds x 2 of one forward pass on an input of this shape.
    public func flops(input: [Int]) -> Double {
        let g = geometry(input)
        return 2 * Double(g.n * g.o * g.planeOut) * Double(g.kg)
    }

    public func forward(_ x: Var) -> Var {
        let g = geometry(x.shape)
        let w = x.tape.parameter(weight)
        let b = bias.map { x.tape.parameter($0) }
        let engine = engine(g)
        let out = compute(x.value, g, engine: engine)
        let oneDNN = engine == .onednn
        return x.tape.record(out) { dy, tape in
            let input = tape.values[x.index], wv = tape.values[w.index]
            if oneDNN, let grads = self.oneDNNGradients(g, input: input, weight: wv, gradOutput: dy, hasBias: b != nil) {
                tape.accumulate(x, grads.dx)
                tape.accumulate(w, grads.dw)
                if let b, let db = grads.db { tape.accumulate(b, db) }
                return
            }
            var dx = Tensor.zeros(input.shape), dw = Tensor.zeros(wv.shape)
            input.data.withUnsafeBufferPointer { xp in wv.data.withUnsafeBufferPointer { wp in
                dy.data.withUnsafeBufferPointer { dyp in dx.data.withUnsafeMutableBufferPointer { dxp in
                    dw.data.withUnsafeMutableBufferPointer { dwp in
                        ConvGemm.backward(g, input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: dyp.baseAddress!,
                                          gradInput: dxp.baseAddress!, gradWeight: dwp.baseAddress!)
                    } } } } }
            tape.accumulate(x, dx)
            tape.accumulate(w, dw)
            if let b { tape.accumulate(b, channelSums(dy)) }
        }
    }
}

/// Functional convolution (inference, no tape).
func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry, algorithm: ConvAlgorithm = .automatic) -> Tensor {
    var out = Tensor.zeros([g.n, g.o, g.ho, g.wo])
    guard out.count > 0 else { return out }
    x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in
        out.data.withUnsafeMutableBufferPointer { op in
            let direct = algorithm == .direct || (algorithm == .automatic && g.og <= ConvDirect.maxOutputsPerGroup)
            if direct && g.kg > 0 {
                ConvDirect.forward(g, input: xp.baseAddress!, weight: wp.baseAddress!, output: op.baseAddress!)
            } else {
                ConvGemm.forward(g, input: xp.baseAddress!, weight: wp.baseAddress!, output: op.baseAddress!)
            }
        } } }
    if let bias { addChannelBias(&out, bias) }
    return out
}

/// Adds bias[c] to every value of channel c (axis 1).
func addChannelBias(_ t: inout Tensor, _ bias: Tensor) {
    let c = t.shape[1], inner = t.count / max(1, t.shape[0] * c)
    shapeCheck(bias.count == c, "bias of \(bias.count) values for \(c) channels (shape \(t.shape))")
    t.data.withUnsafeMutableBufferPointer { p in
        for n in 0..<t.shape[0] { for ch in 0..<c {
            let b = bias.data[ch], base = (n * c + ch) * inner
            for i in 0..<inner { p[base + i] += b }
        } }
    }
}

/// Sum over every axis but 1 (the gradient of a per-channel bias).
func channelSums(_ t: Tensor) -> Tensor {
    let c = t.shape[1], inner = t.count / max(1, t.shape[0] * c)
    var out = [Float](repeating: 0, count: c)
    t.data.withUnsafeBufferPointer { p in
        for n in 0..<t.shape[0] { for ch in 0..<c {
            var s: Float = 0
            let base = (n * c + ch) * inner
            for i in 0..<inner { s += p[base + i] }
            out[ch] += s
        } }
    }
    return Tensor(shape: [c], data: out)
}
