/// Zero padding on each side of an image: symmetric, or asymmetric for TF "SAME" and diffusers' Downsample2D.
public struct Padding: Equatable, Sendable {
    public var top: Int, left: Int, bottom: Int, right: Int
    public init(top: Int, left: Int, bottom: Int, right: Int) {
        (self.top, self.left, self.bottom, self.right) = (top, left, bottom, right)
    }
    public init(_ all: Int) { self.init(top: all, left: all, bottom: all, right: all) }
    public static let zero = Padding(0)

    /// TensorFlow "SAME" padding for one input size (extra pixel goes bottom/right).
    public static func same(height: Int, width: Int, kernel: Int, stride: Int) -> Padding {
        func split(_ size: Int) -> (Int, Int) {
            let out = (size + stride - 1) / stride
            let total = max(0, (out - 1) * stride + kernel - size)
            return (total / 2, total - total / 2)
        }
        let (t, b) = split(height), (l, r) = split(width)
        return Padding(top: t, left: l, bottom: b, right: r)
    }
}

/// Sizes of one convolution, validated once; shared by the GEMM, direct and backward kernels.
struct ConvGeometry {
    let n: Int, c: Int, h: Int, w: Int
    let o: Int, kh: Int, kw: Int
    let stride: Int, dilation: Int, groups: Int
    let pad: Padding
    let ho: Int, wo: Int

    var cg: Int { c / groups }          // input channels per group
    var og: Int { o / groups }          // output channels per group
    var kg: Int { cg * kh * kw }        // GEMM depth per group
    var planeIn: Int { h * w }
    var planeOut: Int { ho * wo }

    init(input: [Int], weight: [Int], stride: Int, dilation: Int, padding: Padding, groups: Int) {
        shapeCheck(input.count == 4, "conv2d expects an NCHW input (rank 4), got shape \(input)")
        shapeCheck(weight.count == 4, "conv2d weight must be [out, in/groups, kh, kw], got shape \(weight)")
        shapeCheck(groups >= 1 && input[1] % groups == 0 && weight[0] % groups == 0,
                   "conv2d groups \(groups) must divide input channels \(input[1]) and output channels \(weight[0])")
        shapeCheck(weight[1] * groups == input[1],
                   "conv2d weight \(weight) with groups \(groups) expects \(weight[1] * groups) input channels, input has shape \(input)")
        shapeCheck(stride >= 1 && dilation >= 1, "conv2d stride \(stride) and dilation \(dilation) must be >= 1")
        shapeCheck(padding.top >= 0 && padding.left >= 0 && padding.bottom >= 0 && padding.right >= 0, "conv2d negative padding \(padding)")
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        (o, kh, kw) = (weight[0], weight[2], weight[3])
        (self.stride, self.dilation, self.groups, pad) = (stride, dilation, groups, padding)
        let spanH = (kh - 1) * dilation + 1, spanW = (kw - 1) * dilation + 1
        shapeCheck(h + pad.top + pad.bottom >= spanH && w + pad.left + pad.right >= spanW,
                   "conv2d kernel \(kh)x\(kw) (dilation \(dilation)) is larger than the padded input \(input) with \(padding)")
        ho = (h + pad.top + pad.bottom - spanH) / stride + 1
        wo = (w + pad.left + pad.right - spanW) / stride + 1
    }

    /// Output columns `ox` whose input column `ox*stride + kx*dilation - left` lies inside the image.
    @inline(__always)
    func validColumns(kx: Int) -> Range<Int> {
        let shift = kx * dilation - pad.left
        let lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let hi = w - shift <= 0 ? 0 : min(wo, (w - shift - 1) / stride + 1)
        return lo..<max(lo, hi)
    }

    /// Output rows per im2col tile, so one tile stays near `floats` floats.
    func tileRows(floats: Int = 1 << 22) -> Int { max(1, min(ho, floats / max(1, kg * wo))) }
}
