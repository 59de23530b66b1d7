import Foundation
import Neural

/// One half of a TAESD-family autoencoder as the Sequential of upstream taesd.py: each step's
/// index is the key prefix of its weights (`14.weight`, `3.conv.0.bias`...).
struct TinyCodecNetwork {
    enum Step {
        case conv(Conv2d)
        case block(TinyCodecBlock)
        case relu
        case upsample
        /// taesd.py `Clamp`: `3 * tanh(x / 3)`, a soft limit on decoder input latents.
        case softClamp
    }

    let steps: [Step]

    /// The network's one definition, on tensors or on a tape (`TinyCodecOps`).
    func forward<Ops: TinyCodecOps>(_ input: Ops.Value, _ ops: Ops) -> Ops.Value {
        var x = input
        for step in steps {
            switch step {
            case let .conv(conv): x = ops.conv(conv, x)
            case let .block(block): x = block.forward(x, ops)
            case .relu: ops.relu(&x)
            case .upsample: x = ops.upsample(x)
            case .softClamp: ops.softClamp(&x)
            }
        }
        return x
    }

    /// Inference: activations updated in place, nothing recorded.
    func forward(_ input: Tensor) -> Tensor { forward(input, TensorOps()) }

    /// The pass on `input`'s tape; `gates` (gradient checks) fixes the ReLUs' on/off pattern.
    func forward(_ input: Var, gates: ReLUGates?) -> Var { forward(input, TapeOps(gates: gates)) }

    /// The first `count` steps as a network of their own.
    func prefix(_ count: Int) -> TinyCodecNetwork { TinyCodecNetwork(steps: Array(steps.prefix(count))) }

    /// Encoder: 0 conv(3,n); 1 Block; 2 conv s2; 3-5 Block; 6 conv s2; 7-9 Block; 10 conv s2;
    /// 11-13 Block; 14 conv(n,C). Strided convs have no bias.
    static func encoder(_ w: CodecWeights, width n: Int, latentChannels c: Int) throws -> TinyCodecNetwork {
        var steps: [Step] = [.conv(try conv(w, "encoder.0", 3, n)), .block(try TinyCodecBlock(w, prefix: "encoder.1", width: n))]
        for level in 0..<3 {
            let first = 2 + 4 * level
            steps.append(.conv(try conv(w, "encoder.\(first)", n, n, stride: 2, bias: false)))
            for i in 1...3 { steps.append(.block(try TinyCodecBlock(w, prefix: "encoder.\(first + i)", width: n))) }
        }
        steps.append(.conv(try conv(w, "encoder.14", n, c)))
        return TinyCodecNetwork(steps: steps)
    }

    /// Decoder: 0 Clamp; 1 conv(C,n); 2 ReLU; 3-5 Block; 6 upsample; 7 conv no bias; 8-10 Block;
    /// 11 upsample; 12 conv; 13-15 Block; 16 upsample; 17 conv; 18 Block; 19 conv(n,3).
    static func decoder(_ w: CodecWeights, width n: Int, latentChannels c: Int) throws -> TinyCodecNetwork {
        var steps: [Step] = [.softClamp, .conv(try conv(w, "decoder.1", c, n)), .relu]
        for i in 3...5 { steps.append(.block(try TinyCodecBlock(w, prefix: "decoder.\(i)", width: n))) }
        for (level, blocks) in [3, 3, 1].enumerated() {
            let first = 6 + 5 * level
            steps.append(.upsample)
            steps.append(.conv(try conv(w, "decoder.\(first + 1)", n, n, bias: false)))
            for i in 0..<blocks { steps.append(.block(try TinyCodecBlock(w, prefix: "decoder.\(first + 2 + i)", width: n))) }
        }
        steps.append(.conv(try conv(w, "decoder.19", n, 3)))
        return TinyCodecNetwork(steps: steps)
    }

    private static func conv(_ w: CodecWeights, _ prefix: String, _ inputs: Int, _ outputs: Int,
                             stride: Int = 1, bias: Bool = true) throws -> Conv2d {
        Conv2d(weight: try w.take("\(prefix).weight", [outputs, inputs, 3, 3]),
               bias: bias ? try w.take("\(prefix).bias", [outputs]) : nil, stride: stride, padding: 1)
    }
}
