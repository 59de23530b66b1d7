import Foundation
import Neural
import Support

/// In-place elementwise steps for the codecs' inference passes. Neural's functional ops return new
/// tensors; at 1024 px a TAEF2 activation is 256 MB, so the residual blocks update their own
/// intermediate tensors instead of allocating (and page-faulting) a fresh one per step.
enum CodecInPlace {
    static func relu(_ x: inout Tensor) { apply(&x) { max($0, 0) } }

    static func silu(_ x: inout Tensor) { apply(&x) { $0 / (1 + Foundation.exp(-$0)) } }

    /// `3 * tanh(x / 3)`: taesd.py's soft clamp of decoder input latents.
    static func softClamp(_ x: inout Tensor) { apply(&x) { 3 * Foundation.tanh($0 / 3) } }

    /// `x += other`, then ReLU when `relu` (the end of a TAESD block).
    static func add(_ x: inout Tensor, _ other: Tensor, relu: Bool = false) {
        shapeCheck(x.shape == other.shape, "in-place add of \(other.shape) to \(x.shape)")
        other.data.withUnsafeBufferPointer { o in
            x.data.withUnsafeMutableBufferPointer { p in
                let (out, src) = (p.baseAddress!, o.baseAddress!)
                parallelRanges(p.count, threads: threads(p.count)) { range in
                    for i in range {
                        let v = out[i] + src[i]
                        out[i] = relu ? max(v, 0) : v
                    }
                }
            }
        }
    }

    private static func apply(_ x: inout Tensor, _ f: (Float) -> Float) {
        x.data.withUnsafeMutableBufferPointer { p in
            let out = p.baseAddress!
            parallelRanges(p.count, threads: threads(p.count)) { range in
                for i in range { out[i] = f(out[i]) }
            }
        }
    }

    /// Small tensors stay on one thread.
    private static func threads(_ count: Int) -> Int { count < 1 << 16 ? 1 : workerCount }
}
