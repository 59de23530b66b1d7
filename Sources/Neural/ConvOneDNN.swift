import DnnlShim
import Foundation
import Support

/// oneDNN's convolution forward (libdnnl, C API through DnnlShim) for one layer at one input shape:
/// the primitive and the weights in oneDNN's blocked layout, built once and reused while neither
/// the input shape nor the weights change. Inputs and outputs stay NCHW (reordered inside).
final class OneDNNConvolution {
    /// False when `PLATESWAP_ONEDNN=0` (to compare engines) or when oneDNN cannot start.
    static let enabled: Bool = {
        if ProcessInfo.processInfo.environment["PLATESWAP_ONEDNN"] == "0" { return false }
        dnnlshim_set_threads(Int32(workerCount))
        return true
    }()

    /// The layers where oneDNN measurably beats im2col + sgemm (BENCHMARKS.md, "oneDNN"): dense
    /// convolutions with at least 3 input and 16 output channels, the reorders to and from its
    /// blocked layout included. Layers with few outputs keep the direct kernel (oneDNN is 3-4x
    /// slower there); grouped and depthwise ones keep ours.
    static func suits(_ g: ConvGeometry) -> Bool {
        g.groups == 1 && g.cg >= 3 && g.og >= 16 && g.n * g.planeOut >= 64
    }

    let input: [Int]
    let weight: Tensor
    let bias: Tensor?
    private let handle: OpaquePointer

    /// nil (with the reason) where oneDNN has no primitive for this convolution.
    init?(_ g: ConvGeometry, weight: Tensor, bias: Tensor?) {
        var message = [CChar](repeating: 0, count: 256)
        let padding: [Int64] = [g.pad.top, g.pad.left, g.pad.bottom, g.pad.right].map(Int64.init)
        let made = weight.data.withUnsafeBufferPointer { wp in
            withOptionalPointer(bias?.data) { bp in
                dnnlshim_conv_create(Int64(g.n), Int64(g.c), Int64(g.h), Int64(g.w), Int64(g.o), Int64(g.kh), Int64(g.kw),
                                     Int64(g.stride), Int64(g.dilation), padding, Int64(g.groups), wp.baseAddress, bp,
                                     &message, message.count)
            }
        }
        guard let made else { return nil }
        handle = made
        input = [g.n, g.c, g.h, g.w]
        self.weight = weight
        self.bias = bias
    }

    deinit { dnnlshim_conv_free(handle) }

    /// The implementation oneDNN chose, e.g. `jit:avx2`.
    var implementation: String { String(cString: dnnlshim_conv_implementation(handle)) }

    /// Whether this primitive computes `weight`/`bias` on inputs of `shape` (array equality is
    /// instant while the weights are the same storage, as they are between training steps).
    func matches(_ shape: [Int], weight: Tensor, bias: Tensor?) -> Bool {
        shape == input && weight == self.weight && bias == self.bias
    }

    /// Runs the convolution; false if oneDNN reported an error (the caller falls back to ours).
    func forward(_ x: Tensor, into out: inout Tensor) -> Bool {
        var message = [CChar](repeating: 0, count: 256)
        let status = x.data.withUnsafeBufferPointer { xp in
            out.data.withUnsafeMutableBufferPointer { op in
                dnnlshim_conv_forward(handle, xp.baseAddress!, op.baseAddress!, &message, message.count)
            }
        }
        return status == 0
    }
}

private func withOptionalPointer<R>(_ data: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let data else { return body(nil) }
    return data.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// oneDNN's convolution gradients (backward data and backward weights) for one layer at one input
/// shape. Unlike the forward primitive it holds no weights: they change every training step and are
/// passed per call.
final class OneDNNConvolutionBackward {
    let input: [Int]
    let hasBias: Bool
    private let handle: OpaquePointer

    init?(_ g: ConvGeometry, hasBias: Bool) {
        var message = [CChar](repeating: 0, count: 256)
        let padding: [Int64] = [g.pad.top, g.pad.left, g.pad.bottom, g.pad.right].map(Int64.init)
        guard let made = dnnlshim_conv_backward_create(Int64(g.n), Int64(g.c), Int64(g.h), Int64(g.w), Int64(g.o), Int64(g.kh),
                                                       Int64(g.kw), Int64(g.stride), Int64(g.dilation), padding,
                                                       Int64(g.groups), hasBias ? 1 : 0, &message, message.count)
        else { return nil }
        handle = made
        input = [g.n, g.c, g.h, g.w]
        self.hasBias = hasBias
    }

    deinit { dnnlshim_conv_backward_free(handle) }

    /// oneDNN's names for the two implementations, e.g. `jit:avx2 / jit:avx2`.
    var implementation: String { String(cString: dnnlshim_conv_backward_implementation(handle)) }

    /// Gradients of input, weight and bias (nil without bias); nil if oneDNN reported an error.
    func gradients(input x: Tensor, weight: Tensor, gradOutput dy: Tensor) -> (dx: Tensor, dw: Tensor, db: Tensor?)? {
        var dx = Tensor.zeros(x.shape), dw = Tensor.zeros(weight.shape)
        var db = hasBias ? Tensor.zeros([weight.shape[0]]) : nil
        var message = [CChar](repeating: 0, count: 256)
        let status = x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in
            dy.data.withUnsafeBufferPointer { dyp in dx.data.withUnsafeMutableBufferPointer { dxp in
                dw.data.withUnsafeMutableBufferPointer { dwp in
                    withOptionalMutablePointer(&db) { dbp in
                        dnnlshim_conv_backward_run(handle, xp.baseAddress!, wp.baseAddress!, dyp.baseAddress!, dxp.baseAddress!,
                                                   dwp.baseAddress!, dbp, &message, message.count)
                    } } } } } }
        return status == 0 ? (dx, dw, db) : nil
    }
}

private func withOptionalMutablePointer<R>(_ tensor: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard tensor != nil else { return body(nil) }
    return tensor!.data.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}
