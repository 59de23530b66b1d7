import Neural

/// diffusers `Encoder` of AutoencoderKL: conv_in; per level `layers_per_block` resnets and (except
/// on the last level) a Downsample2D = zero-pad right and bottom by 1, conv3x3 stride 2; mid block
/// (resnet, attention, resnet); GroupNorm, SiLU, conv_out to 2 x latent channels.
struct SDVAEEncoder {
    let convIn: Conv2d
    let levels: [(resnets: [SDResnetBlock], downsample: Conv2d?)]
    let mid: SDVAEMidBlock
    let normOut: GroupNorm
    let convOut: Conv2d

    init(_ w: CodecWeights, _ config: SDVAEConfig) throws {
        let channels = config.blockOutChannels, groups = config.normNumGroups
        convIn = try SDVAELayers.conv(w, "encoder.conv_in", config.inChannels, channels[0], kernel: 3)
        var levels: [(resnets: [SDResnetBlock], downsample: Conv2d?)] = []
        var previous = channels[0]
        for (i, out) in channels.enumerated() {
            let resnets = try (0..<config.layersPerBlock).map { j in
                try SDResnetBlock(w, "encoder.down_blocks.\(i).resnets.\(j)", inputs: j == 0 ? previous : out, outputs: out, groups: groups)
            }
            var downsample: Conv2d?
            if i < channels.count - 1 {
                let p = "encoder.down_blocks.\(i).downsamplers.0.conv"
                downsample = Conv2d(weight: try w.take("\(p).weight", [out, out, 3, 3]), bias: try w.take("\(p).bias", [out]),
                                    stride: 2, padding: Padding(top: 0, left: 0, bottom: 1, right: 1))
            }
            levels.append((resnets, downsample))
            previous = out
        }
        self.levels = levels
        mid = try SDVAEMidBlock(w, "encoder.mid_block", channels: previous, groups: groups, attention: config.midBlockAddAttention)
        normOut = try SDVAELayers.groupNorm(w, "encoder.conv_norm_out", previous, groups: groups)
        convOut = try SDVAELayers.conv(w, "encoder.conv_out", previous, 2 * config.latentChannels, kernel: 3)
    }

    func forward(_ input: Tensor) -> Tensor {
        var x = convIn.forward(input)
        for level in levels {
            for resnet in level.resnets { x = resnet.forward(x) }
            if let downsample = level.downsample { x = downsample.forward(x) }
        }
        x = normOut.forward(mid.forward(x))
        CodecInPlace.silu(&x)
        return convOut.forward(x)
    }
}

/// diffusers `Decoder`: conv_in; mid block; per level from the lowest resolution
/// `layers_per_block + 1` resnets and (except the last) nearest x2 upsample + conv3x3; GroupNorm,
/// SiLU, conv_out.
struct SDVAEDecoder {
    let convIn: Conv2d
    let mid: SDVAEMidBlock
    let levels: [(resnets: [SDResnetBlock], upsample: Conv2d?)]
    let normOut: GroupNorm
    let convOut: Conv2d

    init(_ w: CodecWeights, _ config: SDVAEConfig) throws {
        let channels = Array(config.blockOutChannels.reversed()), groups = config.normNumGroups
        convIn = try SDVAELayers.conv(w, "decoder.conv_in", config.latentChannels, channels[0], kernel: 3)
        mid = try SDVAEMidBlock(w, "decoder.mid_block", channels: channels[0], groups: groups, attention: config.midBlockAddAttention)
        var levels: [(resnets: [SDResnetBlock], upsample: Conv2d?)] = []
        var previous = channels[0]
        for (i, out) in channels.enumerated() {
            let resnets = try (0...config.layersPerBlock).map { j in
                try SDResnetBlock(w, "decoder.up_blocks.\(i).resnets.\(j)", inputs: j == 0 ? previous : out, outputs: out, groups: groups)
            }
            let upsample = i < channels.count - 1
                ? try SDVAELayers.conv(w, "decoder.up_blocks.\(i).upsamplers.0.conv", out, out, kernel: 3) : nil
            levels.append((resnets, upsample))
            previous = out
        }
        self.levels = levels
        normOut = try SDVAELayers.groupNorm(w, "decoder.conv_norm_out", previous, groups: groups)
        convOut = try SDVAELayers.conv(w, "decoder.conv_out", previous, config.outChannels, kernel: 3)
    }

    func forward(_ latents: Tensor) -> Tensor {
        var x = mid.forward(convIn.forward(latents))
        for level in levels {
            for resnet in level.resnets { x = resnet.forward(x) }
            if let upsample = level.upsample { x = upsample.forward(upsampleNearest(x, scale: 2)) }
        }
        x = normOut.forward(x)
        CodecInPlace.silu(&x)
        return convOut.forward(x)
    }
}

/// `UNetMidBlock2D` without time embedding: resnet, (attention), resnet.
struct SDVAEMidBlock {
    let first: SDResnetBlock, attention: SDAttentionBlock?, second: SDResnetBlock

    init(_ w: CodecWeights, _ p: String, channels c: Int, groups: Int, attention hasAttention: Bool) throws {
        first = try SDResnetBlock(w, "\(p).resnets.0", inputs: c, outputs: c, groups: groups)
        attention = hasAttention ? try SDAttentionBlock(w, "\(p).attentions.0", channels: c, groups: groups) : nil
        second = try SDResnetBlock(w, "\(p).resnets.1", inputs: c, outputs: c, groups: groups)
    }

    func forward(_ x: Tensor) -> Tensor {
        var h = first.forward(x)
        if let attention { h = attention.forward(h) }
        return second.forward(h)
    }
}
