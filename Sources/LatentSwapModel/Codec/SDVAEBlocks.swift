import Neural

/// diffusers `ResnetBlock2D` without time embedding: GroupNorm, SiLU, conv3x3, GroupNorm, SiLU,
/// conv3x3, plus the input (through a 1x1 `conv_shortcut` when the channel count changes).
struct SDResnetBlock {
    let norm1: GroupNorm, conv1: Conv2d, norm2: GroupNorm, conv2: Conv2d
    let shortcut: Conv2d?

    init(_ w: CodecWeights, _ p: String, inputs: Int, outputs: Int, groups: Int) throws {
        norm1 = try SDVAELayers.groupNorm(w, "\(p).norm1", inputs, groups: groups)
        conv1 = try SDVAELayers.conv(w, "\(p).conv1", inputs, outputs, kernel: 3)
        norm2 = try SDVAELayers.groupNorm(w, "\(p).norm2", outputs, groups: groups)
        conv2 = try SDVAELayers.conv(w, "\(p).conv2", outputs, outputs, kernel: 3)
        shortcut = inputs == outputs ? nil : try SDVAELayers.conv(w, "\(p).conv_shortcut", inputs, outputs, kernel: 1)
    }

    func forward(_ x: Tensor) -> Tensor {
        var normed = norm1.forward(x)
        CodecInPlace.silu(&normed)
        normed = norm2.forward(conv1.forward(normed))
        CodecInPlace.silu(&normed)
        var h = conv2.forward(normed)
        CodecInPlace.add(&h, shortcut?.forward(x) ?? x)
        return h
    }
}

/// diffusers `Attention` as used in the VAE mid block: one head over all H*W positions, GroupNorm
/// first, q/k/v/out projections (`to_q`, `to_k`, `to_v`, `to_out.0`), residual added.
struct SDAttentionBlock {
    let norm: GroupNorm
    let query: Linear, key: Linear, value: Linear, out: Linear

    init(_ w: CodecWeights, _ p: String, channels c: Int, groups: Int) throws {
        norm = try SDVAELayers.groupNorm(w, "\(p).group_norm", c, groups: groups)
        func linear(_ name: String) throws -> Linear {
            Linear(weight: try w.take("\(p).\(name).weight", [c, c]), bias: try w.take("\(p).\(name).bias", [c]))
        }
        query = try linear("to_q")
        key = try linear("to_k")
        value = try linear("to_v")
        out = try linear("to_out.0")
    }

    func forward(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        // Tokens: N x (H*W) x C.
        let tokens = norm.forward(x).reshaped([n, c, h * w]).transposedLastTwo()
        let attended = scaledDotProductAttention(query.forward(tokens), key.forward(tokens), value.forward(tokens))
        var result = out.forward(attended).transposedLastTwo().reshaped([n, c, h, w])
        CodecInPlace.add(&result, x)
        return result
    }
}

/// The small layer constructors the SD VAE blocks share.
enum SDVAELayers {
    static func conv(_ w: CodecWeights, _ p: String, _ inputs: Int, _ outputs: Int, kernel: Int) throws -> Conv2d {
        Conv2d(weight: try w.take("\(p).weight", [outputs, inputs, kernel, kernel]),
               bias: try w.take("\(p).bias", [outputs]), stride: 1, padding: kernel / 2)
    }

    /// GroupNorm with the VAE's eps 1e-6.
    static func groupNorm(_ w: CodecWeights, _ p: String, _ channels: Int, groups: Int) throws -> GroupNorm {
        GroupNorm(groups: groups, eps: 1e-6, weight: try w.take("\(p).weight", [channels]), bias: try w.take("\(p).bias", [channels]))
    }
}
