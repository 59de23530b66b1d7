import COpenBLAS
import Support

/// 2-D convolution, square kernel, "same" padding (k/2), stride 1 or 2, through im2col + sgemm.
/// Weight [out, in, k, k], bias [out]. The input is kept for backward; the im2col matrix is
/// rebuilt there instead of stored, which keeps peak memory at the activations.
final class SwapConv2d: SwapLayer {
    let weight: SwapParameter
    let bias: SwapParameter
    let inChannels: Int, outChannels: Int, kernel: Int, stride: Int
    private var input: SwapTensor?

    init(name: String, in inChannels: Int, out outChannels: Int, kernel: Int = 3, stride: Int = 1,
         random: inout SwapRandom, gain: Float = 1) {
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        let fanIn = inChannels * kernel * kernel
        // He-style initialisation, scaled down for layers that feed residual sums.
        let scale = gain * (2 / Float(fanIn)).squareRoot()
        weight = SwapParameter(name: name + ".weight", shape: [outChannels, inChannels, kernel, kernel],
                               value: (0..<(outChannels * fanIn)).map { _ in random.normal() * scale })
        bias = SwapParameter(name: name + ".bias", shape: [outChannels], value: [Float](repeating: 0, count: outChannels))
    }

    var parameters: [SwapParameter] { [weight, bias] }
    private var pad: Int { kernel / 2 }
    func outSize(_ size: Int) -> Int { (size + 2 * pad - kernel) / stride + 1 }

    func cost(c: Int, h: Int, w: Int) -> (flops: Double, c: Int, h: Int, w: Int) {
        let oh = outSize(h), ow = outSize(w)
        return (2 * Double(outChannels * inChannels * kernel * kernel * oh * ow), outChannels, oh, ow)
    }

    func forward(_ x: SwapTensor) -> SwapTensor {
        precondition(x.c == inChannels, "SwapConv2d \(weight.name): input has \(x.c) channels, expected \(inChannels)")
        input = x
        let oh = outSize(x.h), ow = outSize(x.w), spatial = oh * ow
        let k = inChannels * kernel * kernel
        var y = SwapTensor(zeros: x.n, outChannels, oh, ow)
        var cols = [Float](repeating: 0, count: k * spatial)
        for n in 0..<x.n {
            im2col(x, sample: n, oh: oh, ow: ow, into: &cols)
            y.data.withUnsafeMutableBufferPointer { yp in
                let out = yp.baseAddress! + n * outChannels * spatial
                for o in 0..<outChannels {
                    let b = bias.value[o]
                    for i in 0..<spatial { out[o * spatial + i] = b }
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outChannels), Int32(spatial), Int32(k),
                            1, weight.value, Int32(k), cols, Int32(spatial), 1, out, Int32(spatial))
            }
        }
        return y
    }

    func backward(_ dy: SwapTensor) -> SwapTensor {
        guard let x = input else { preconditionFailure("SwapConv2d.backward before forward") }
        let oh = dy.h, ow = dy.w, spatial = oh * ow
        let k = inChannels * kernel * kernel
        var dx = SwapTensor(zeros: x.n, x.c, x.h, x.w)
        var cols = [Float](repeating: 0, count: k * spatial)
        var dcols = [Float](repeating: 0, count: k * spatial)
        for n in 0..<x.n {
            im2col(x, sample: n, oh: oh, ow: ow, into: &cols)
            dy.data.withUnsafeBufferPointer { dyp in
                let g = dyp.baseAddress! + n * outChannels * spatial
                // dW += dY * cols^T ; db += row sums of dY
                weight.grad.withUnsafeMutableBufferPointer { dw in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(outChannels), Int32(k), Int32(spatial),
                                1, g, Int32(spatial), cols, Int32(spatial), 1, dw.baseAddress, Int32(k))
                }
                for o in 0..<outChannels {
                    var s: Float = 0
                    for i in 0..<spatial { s += g[o * spatial + i] }
                    bias.grad[o] += s
                }
                // dcols = W^T * dY
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(spatial), Int32(outChannels),
                            1, weight.value, Int32(k), g, Int32(spatial), 0, &dcols, Int32(spatial))
            }
            col2im(dcols, sample: n, oh: oh, ow: ow, into: &dx)
        }
        input = nil
        return dx
    }

    /// cols[(c*k + ky)*k + kx][oy*ow + ox] = x[c][oy*stride + ky - pad][ox*stride + kx - pad] (0 outside).
    private func im2col(_ x: SwapTensor, sample n: Int, oh: Int, ow: Int, into cols: inout [Float]) {
        let h = x.h, w = x.w, kernel = self.kernel, stride = self.stride, pad = self.pad
        let rows = inChannels * kernel * kernel
        x.data.withUnsafeBufferPointer { xp in
            cols.withUnsafeMutableBufferPointer { cp in
                let src = xp.baseAddress! + n * x.sampleCount
                let dst = cp.baseAddress!
                parallelFor(rows) { row in
                    let c = row / (kernel * kernel), ky = row / kernel % kernel, kx = row % kernel
                    let plane = src + c * h * w
                    let out = dst + row * oh * ow
                    for oy in 0..<oh {
                        let iy = oy * stride + ky - pad
                        let line = out + oy * ow
                        if iy < 0 || iy >= h {
                            for ox in 0..<ow { line[ox] = 0 }
                            continue
                        }
                        for ox in 0..<ow {
                            let ix = ox * stride + kx - pad
                            line[ox] = (ix >= 0 && ix < w) ? plane[iy * w + ix] : 0
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of im2col: adds each column entry back onto the input position it came from.
    private func col2im(_ cols: [Float], sample n: Int, oh: Int, ow: Int, into dx: inout SwapTensor) {
        let h = dx.h, w = dx.w, kernel = self.kernel, stride = self.stride, pad = self.pad
        let sampleCount = dx.sampleCount
        cols.withUnsafeBufferPointer { cp in
            dx.data.withUnsafeMutableBufferPointer { xp in
                let src = cp.baseAddress!
                let dst = xp.baseAddress! + n * sampleCount
                // One channel per task: the channel's k*k rows only touch its own plane.
                parallelFor(inChannels) { c in
                    let plane = dst + c * h * w
                    for ky in 0..<kernel {
                        for kx in 0..<kernel {
                            let row = src + ((c * kernel + ky) * kernel + kx) * oh * ow
                            for oy in 0..<oh {
                                let iy = oy * stride + ky - pad
                                if iy < 0 || iy >= h { continue }
                                for ox in 0..<ow {
                                    let ix = ox * stride + kx - pad
                                    if ix >= 0 && ix < w { plane[iy * w + ix] += row[oy * ow + ox] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
