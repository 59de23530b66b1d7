import Neural

/// The layers of the two bottleneck layouts (`SwapModelConfig.Inter`), built from the same stages.
/// `.dense` follows DeepFaceLab SAEHD's DeepFakeArchi, adapted to latents: the input is the codec's
/// C x S/8 x S/8 grid instead of pixels, so the encoder downscales three times (not four), the
/// decoders upscale twice (not three times), and the outputs are C latent channels without a
/// sigmoid (latents are unbounded); the mask heads keep DFL's sigmoid.
enum SwapLayouts {
    // MARK: dense (DeepFaceLab)

    /// DFL `Encoder`: 5x5 stride-2 convs with LeakyReLU 0.1, widths e, 2e, 4e (extra twin stages first).
    static func denseEncoder(in channels: Int, width e: Int, extra: Int, random: inout SeededRandom) -> SwapChain {
        var stages: [SwapStage] = [], from = channels
        for i in 0..<extra {
            stages += [SwapConv("encoder.pre\(i)", in: from, out: e, kernel: 5, stride: 2, random: &random), SwapLeakyReLU()]
            from = e
        }
        for (i, width) in [e, 2 * e, 4 * e].enumerated() {
            stages += [SwapConv("encoder.down\(i)", in: from, out: width, kernel: 5, stride: 2, random: &random), SwapLeakyReLU()]
            from = width
        }
        return SwapChain(stages)
    }

    /// DFL `Inter`: flatten -> Dense(ae_dims) -> Dense(side^2 x code) -> reshape -> Upscale(code).
    /// No activation between the dense layers, as in DFL. Without `upscale` the second dense layer
    /// writes the code grid itself (`out` is its side; `Inter.denseGrid`).
    static func denseInter(_ name: String, in channels: Int, side: Int, out: Int, ae: Int, code: Int, upscale up: Bool,
                           icnr: Bool, random: inout SeededRandom) -> SwapChain {
        let reshaped = up ? out / 2 : out
        return SwapChain([
            SwapFlatten(),
            SwapDense(name + ".dense1", in: channels * side * side, out: ae, random: &random),
            SwapDense(name + ".dense2", in: ae, out: reshaped * reshaped * code, random: &random),
            SwapUnflatten(channels: code, side: reshaped),
        ] + (up ? upscale(name + ".upscale1", from: code, to: code, icnr: icnr, random: &random) : []))
    }

    /// DFL `Upscale`: 3x3 conv to 4x the channels, LeakyReLU 0.1, depth to space.
    static func upscale(_ name: String, from: Int, to: Int, icnr: Bool, random: inout SeededRandom) -> [SwapStage] {
        [SwapConv(name + ".conv1", in: from, out: 4 * to, icnr: icnr, random: &random), SwapLeakyReLU(), SwapPixelShuffle()]
    }

    /// DFL `Decoder` face branch: (Upscale, ResidualBlock) at 2d then d channels, then a 3x3 conv to
    /// the C latent channels (DFL's is 1x1 to RGB; a latent's neighbours matter to the codec's decoder).
    static func denseDecoder(_ name: String, code: Int, out: Int, width d: Int, extra: Int, icnr: Bool,
                             random: inout SeededRandom) -> SwapChain {
        var stages: [SwapStage] = [], from = code
        for (i, width) in ([2 * d, d] + Array(repeating: d, count: extra)).enumerated() {
            stages += upscale("\(name).upscale\(i)", from: from, to: width, icnr: icnr, random: &random)
            stages.append(SwapResidualBlock("\(name).res\(i)", channels: width, random: &random))
            from = width
        }
        stages.append(SwapConv(name + ".out_conv", in: d, out: out, gain: 0.5, random: &random))
        return SwapChain(stages)
    }

    /// DFL `Decoder` mask branch: Upscale at 2m then m channels, a 1x1 conv to one channel, sigmoid.
    static func maskDecoder(_ name: String, code: Int, width m: Int, extra: Int, icnr: Bool,
                            random: inout SeededRandom) -> SwapChain {
        var stages: [SwapStage] = [], from = code
        for (i, width) in ([2 * m, m] + Array(repeating: m, count: extra)).enumerated() {
            stages += upscale("\(name).upscalem\(i)", from: from, to: width, icnr: icnr, random: &random)
            from = width
        }
        stages += [SwapConv(name + ".out_convm", in: m, out: 1, kernel: 1, random: &random), SwapSigmoid()]
        return SwapChain(stages)
    }

    // MARK: conv (the first plateswap layout)

    /// Strided convolutions: C -> e, then halve the size twice while the width grows to 4e.
    static func convEncoder(in channels: Int, width e: Int, extra: Int, random: inout SeededRandom) -> SwapChain {
        var stages: [SwapStage] = [SwapConv("encoder.in", in: channels, out: e, random: &random), SwapLeakyReLU()]
        for i in 0..<extra {
            stages += [SwapConv("encoder.pre\(i)", in: e, out: e, stride: 2, random: &random), SwapLeakyReLU()]
        }
        stages += [SwapConv("encoder.down0", in: e, out: 2 * e, stride: 2, random: &random), SwapLeakyReLU(),
                   SwapConv("encoder.down1", in: 2 * e, out: 4 * e, stride: 2, random: &random), SwapLeakyReLU()]
        return SwapChain(stages)
    }

    /// The bottleneck: a 3x3 conv to b channels, then a 1x1 projection to the code dimension D.
    static func convInter(_ name: String, in channels: Int, bottleneck: Int, code: Int, random: inout SeededRandom) -> SwapChain {
        SwapChain([
            SwapConv(name + ".conv", in: channels, out: bottleneck, random: &random), SwapLeakyReLU(),
            SwapConv(name + ".code", in: bottleneck, out: code, kernel: 1, gain: 0.5, random: &random),
        ])
    }

    /// D -> 4d, then per scale: conv to 4x the channels + pixel shuffle + residual block; conv to C.
    static func convDecoder(_ name: String, code: Int, out: Int, width d: Int, extra: Int, icnr: Bool,
                            random: inout SeededRandom) -> SwapChain {
        var stages: [SwapStage] = [SwapConv(name + ".in", in: code, out: 4 * d, random: &random), SwapLeakyReLU()]
        func up(_ tag: String, _ from: Int, _ to: Int) {
            stages += [SwapConv("\(name).\(tag).conv", in: from, out: 4 * to, icnr: icnr, random: &random), SwapLeakyReLU(),
                       SwapPixelShuffle(), SwapResidualBlock("\(name).\(tag).res", channels: to, random: &random)]
        }
        up("up0", 4 * d, 2 * d)
        up("up1", 2 * d, d)
        for i in 0..<extra { up("post\(i)", d, d) }
        stages.append(SwapConv(name + ".out", in: d, out: out, gain: 0.5, random: &random))
        return SwapChain(stages)
    }
}
