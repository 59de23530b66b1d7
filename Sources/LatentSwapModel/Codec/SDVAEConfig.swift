import Foundation

/// The architecture of a Stable Diffusion AutoencoderKL, read from a diffusers `config.json`.
///
/// Only the fields that change the network are kept; unknown fields are ignored because diffusers
/// writes many bookkeeping keys (`_class_name`, `sample_size`, `force_upcast`...).
public struct SDVAEConfig: Equatable, Sendable {
    public var inChannels = 3
    public var outChannels = 3
    public var latentChannels = 4
    public var blockOutChannels = [128, 256, 512, 512]
    public var layersPerBlock = 2
    public var normNumGroups = 32
    public var scalingFactor: Float = 0.18215
    /// Added before scaling on encode (SD3 / FLUX VAEs); 0 for SD-1.x/2.x.
    public var shiftFactor: Float = 0
    public var midBlockAddAttention = true
    public var useQuantConv = true
    public var usePostQuantConv = true

    /// The SD-1.x / 2.x VAE (`vae-ft-mse-840000-ema-pruned`), used when no config is given.
    public static let stableDiffusion = SDVAEConfig()

    public init() {}

    /// How much smaller the latents are than the image: 2^(levels - 1).
    public var downscale: Int { 1 << (blockOutChannels.count - 1) }

    /// Parses and validates a diffusers `config.json`; `file` names the source in errors.
    public static func parse(_ data: Data, file: String) throws -> SDVAEConfig {
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw CodecError.badConfig(file: file, field: "(file)", reason: "not a JSON object")
        }
        var config = SDVAEConfig()
        if let name = json["_class_name"] as? String, name != "AutoencoderKL" {
            throw CodecError.badConfig(file: file, field: "_class_name", reason: "'\(name)' is not AutoencoderKL")
        }
        func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let value = json[key], !(value is NSNull) else { return nil }
            guard let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded(),
                  range.contains(number.intValue) else {
                throw CodecError.badConfig(file: file, field: key, reason: "expected an integer in \(range), got \(value)")
            }
            return number.intValue
        }
        func float(_ key: String) throws -> Float? {
            guard let value = json[key], !(value is NSNull) else { return nil }
            guard let number = value as? NSNumber, number.doubleValue.isFinite, !(value is Bool) else {
                throw CodecError.badConfig(file: file, field: key, reason: "expected a number, got \(value)")
            }
            return number.floatValue
        }
        func bool(_ key: String) throws -> Bool? {
            guard let value = json[key], !(value is NSNull) else { return nil }
            guard let flag = value as? Bool else {
                throw CodecError.badConfig(file: file, field: key, reason: "expected true or false, got \(value)")
            }
            return flag
        }
        config.inChannels = try int("in_channels", 1...64) ?? config.inChannels
        config.outChannels = try int("out_channels", 1...64) ?? config.outChannels
        config.latentChannels = try int("latent_channels", 1...1024) ?? config.latentChannels
        config.layersPerBlock = try int("layers_per_block", 1...16) ?? config.layersPerBlock
        config.normNumGroups = try int("norm_num_groups", 1...1024) ?? config.normNumGroups
        config.scalingFactor = try float("scaling_factor") ?? config.scalingFactor
        config.shiftFactor = try float("shift_factor") ?? config.shiftFactor
        config.midBlockAddAttention = try bool("mid_block_add_attention") ?? config.midBlockAddAttention
        config.useQuantConv = try bool("use_quant_conv") ?? config.useQuantConv
        config.usePostQuantConv = try bool("use_post_quant_conv") ?? config.usePostQuantConv
        if let value = json["block_out_channels"], !(value is NSNull) {
            guard let list = value as? [NSNumber], !list.isEmpty, list.count <= 8,
                  list.allSatisfy({ $0.intValue >= 1 && $0.intValue <= 4096 && $0.doubleValue == Double($0.intValue) }) else {
                throw CodecError.badConfig(file: file, field: "block_out_channels",
                                           reason: "expected 1 to 8 positive integers, got \(value)")
            }
            config.blockOutChannels = list.map(\.intValue)
        }
        for key in ["down_block_types", "up_block_types"] {
            guard let value = json[key], !(value is NSNull) else { continue }
            let expected = key == "down_block_types" ? "DownEncoderBlock2D" : "UpDecoderBlock2D"
            guard let list = value as? [String], list.count == config.blockOutChannels.count,
                  list.allSatisfy({ $0 == expected }) else {
                throw CodecError.badConfig(file: file, field: key, reason:
                    "expected \(config.blockOutChannels.count) x \(expected) (one per block_out_channels entry), got \(value)")
            }
        }
        if let act = json["act_fn"] as? String, act != "silu" {
            throw CodecError.badConfig(file: file, field: "act_fn", reason: "only silu is supported, got '\(act)'")
        }
        if config.scalingFactor == 0 {
            throw CodecError.badConfig(file: file, field: "scaling_factor", reason: "must not be 0")
        }
        for channels in config.blockOutChannels where channels % config.normNumGroups != 0 {
            throw CodecError.badConfig(file: file, field: "norm_num_groups",
                                       reason: "\(config.normNumGroups) groups do not divide \(channels) channels")
        }
        return config
    }

    public static func load(from url: URL) throws -> SDVAEConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CodecError.badFile(file: url.path, reason: "cannot read config: \(error.localizedDescription)")
        }
        return try parse(data, file: url.path)
    }
}
