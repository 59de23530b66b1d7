/// Translates AutoencoderKL weight names to the current diffusers names, so that diffusers files,
/// older diffusers files and original LDM / CompVis checkpoints all load as they are.
///
/// LDM (`vae-ft-mse-840000-ema-pruned.safetensors`)     diffusers
/// `encoder.down.I.block.J.nin_shortcut`                `encoder.down_blocks.I.resnets.J.conv_shortcut`
/// `encoder.down.I.downsample.conv`                     `encoder.down_blocks.I.downsamplers.0.conv`
/// `*.mid.block_1` / `*.mid.block_2`                    `*.mid_block.resnets.0` / `.1`
/// `*.mid.attn_1.{norm,q,k,v,proj_out}`                 `*.mid_block.attentions.0.{group_norm,to_q,to_k,to_v,to_out.0}`
/// `decoder.up.I.*` (I = 0 is the full-resolution level) `decoder.up_blocks.(levels-1-I).*` (0 = lowest resolution)
/// `*.norm_out`                                         `*.conv_norm_out`
/// Older diffusers attention names `query`, `key`, `value`, `proj_attn` become `to_q`, `to_k`, `to_v`, `to_out.0`.
/// Whole-model checkpoints prefix the VAE with `first_stage_model.` (LDM) or `vae.`; the prefix is dropped.
public enum SDVAEKeyMap {
    /// The diffusers name for `name`, or nil when the key is not part of an AutoencoderKL.
    public static func canonical(_ name: String, levels: Int) -> String? {
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "first_stage_model" || parts.first == "vae" { parts.removeFirst() }
        guard let part = parts.first else { return nil }
        switch part {
        case "quant_conv", "post_quant_conv":
            return parts.count == 2 ? parts.joined(separator: ".") : nil
        case "encoder", "decoder":
            guard let rest = mapCoder(Array(parts.dropFirst()), isDecoder: part == "decoder", levels: levels) else { return nil }
            return ([part] + rest).joined(separator: ".")
        default:
            return nil
        }
    }

    private static func mapCoder(_ parts: [String], isDecoder: Bool, levels: Int) -> [String]? {
        guard let head = parts.first else { return nil }
        let tail = Array(parts.dropFirst())
        switch head {
        case "conv_in", "conv_out", "conv_norm_out":
            return tail.count == 1 ? parts : nil
        case "norm_out":
            return tail.count == 1 ? ["conv_norm_out"] + tail : nil
        case "down" where !isDecoder, "up" where isDecoder:
            // LDM levels: down.I.block.J / down.I.downsample.conv / up.I.block.J / up.I.upsample.conv
            guard tail.count >= 3, let ldmLevel = Int(tail[0]), ldmLevel >= 0, ldmLevel < levels else { return nil }
            let level = isDecoder ? levels - 1 - ldmLevel : ldmLevel
            let blocks = isDecoder ? "up_blocks" : "down_blocks"
            switch tail[1] {
            case "block":
                guard let resnet = mapResnet(Array(tail.dropFirst(3))) else { return nil }
                return [blocks, String(level), "resnets", tail[2]] + resnet
            case "downsample" where !isDecoder, "upsample" where isDecoder:
                let sampler = isDecoder ? "upsamplers" : "downsamplers"
                return tail.count == 4 && tail[2] == "conv" ? [blocks, String(level), sampler, "0", "conv", tail[3]] : nil
            default:
                return nil
            }
        case "down_blocks" where !isDecoder, "up_blocks" where isDecoder:
            guard tail.count >= 4 else { return nil }
            if tail[1] == "resnets", let resnet = mapResnet(Array(tail.dropFirst(3))) {
                return [head, tail[0], "resnets", tail[2]] + resnet
            }
            return parts
        case "mid":
            guard tail.count >= 3 else { return nil }
            switch tail[0] {
            case "block_1", "block_2":
                guard let resnet = mapResnet(Array(tail.dropFirst())) else { return nil }
                return ["mid_block", "resnets", tail[0] == "block_1" ? "0" : "1"] + resnet
            case "attn_1":
                guard let attention = mapAttention(Array(tail.dropFirst())) else { return nil }
                return ["mid_block", "attentions", "0"] + attention
            default:
                return nil
            }
        case "mid_block":
            guard tail.count >= 4 else { return nil }
            if tail[0] == "attentions", let attention = mapAttention(Array(tail.dropFirst(2))) {
                return ["mid_block", "attentions", tail[1]] + attention
            }
            if tail[0] == "resnets", let resnet = mapResnet(Array(tail.dropFirst(2))) {
                return ["mid_block", "resnets", tail[1]] + resnet
            }
            return nil
        default:
            return nil
        }
    }

    /// `norm1 conv1 norm2 conv2` keep their names; LDM's `nin_shortcut` is diffusers' `conv_shortcut`.
    private static func mapResnet(_ parts: [String]) -> [String]? {
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "norm1", "conv1", "norm2", "conv2", "conv_shortcut": return parts
        case "nin_shortcut": return ["conv_shortcut", parts[1]]
        default: return nil
        }
    }

    private static func mapAttention(_ parts: [String]) -> [String]? {
        let renames = ["norm": "group_norm", "group_norm": "group_norm",
                       "q": "to_q", "query": "to_q", "to_q": "to_q",
                       "k": "to_k", "key": "to_k", "to_k": "to_k",
                       "v": "to_v", "value": "to_v", "to_v": "to_v",
                       "proj_out": "to_out.0", "proj_attn": "to_out.0"]
        if parts.count == 3, parts[0] == "to_out", parts[1] == "0" { return parts }
        guard parts.count == 2, let renamed = renames[parts[0]] else { return nil }
        return renamed.split(separator: ".").map(String.init) + [parts[1]]
    }
}
