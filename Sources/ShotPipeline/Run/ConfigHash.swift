import Foundation
import Imaging
import Support

/// The hash stored in every output frame (`plateswap:config_hash`): everything that changes an
/// output pixel, and nothing that does not (frame range, preview, report, error policy).
/// A re-run skips a frame whose output carries the same hash.
public enum ConfigHash {
    public static func compute(_ config: ShotConfig, plateSpace: NamedColorSpace, modelIdentity: String, tracksDigest: String) -> String {
        var fields: [(String, String)] = [
            ("version", PlateswapVersion.string),
            ("plate.path", config.plate.path.path),
            ("plate.colorspace", plateSpace.builtIn?.rawValue ?? "\(plateSpace.name) in \(plateSpace.config?.path ?? "")"),
            ("plate.part", config.plate.part ?? "0"),
            ("plate.layer", config.plate.layer),
            ("plate.first_frame", String(config.plate.firstFrame)),
            ("plate.frame_rate", config.plate.frameRate.map { String($0) } ?? "plate"),
            ("output.mode", config.output.mode.rawValue),
            ("output.compression", config.output.compression.name),
            ("output.pixel_type", config.output.pixelType.rawValue),
            ("output.layers", config.output.layers.map(\.rawValue).joined(separator: ",")),
            // The matte's channel names (outputs from before swap.mask became swap.A are redone).
            ("output.matte", "swap.A" + (config.output.matteInAlpha ? ",A" : "")),
            ("model", modelIdentity),
            ("model.codec", config.model.codec?.rawValue ?? "model"),
            ("face.select", config.face.select.description),
            ("face.min_size", String(config.face.minSize)),
            ("face.size", config.face.size.map(String.init) ?? "model"),
            ("face.type", config.face.type.rawValue),
            ("face.smoothing", "\(config.face.smoothingMinCutoff),\(config.face.smoothingBeta)"),
            ("blend", "\(config.blend.colorTransfer.rawValue),\(config.blend.maskErode),\(config.blend.maskBlur)"),
            ("mask.holdout", config.mask.holdout?.description ?? "none"),
            ("tracks", tracksDigest),
        ]
        // Listed only when on, so frames made with it off keep the hash they had before it existed.
        if config.blend.followPlate > 0 { fields.append(("blend.follow_plate", String(config.blend.followPlate))) }
        if config.blend.learnedMask { fields.append(("blend.learned_mask", "on")) }
        // Full frames of EXR plates carry every other part, layer and channel of the plate.
        if config.output.mode == .full, config.plate.path.pathExtension.lowercased() == "exr" {
            fields.append(("output.pass_through", "every part, layer and channel"))
        }
        if let output = config.output.colorspace {
            fields.append(("output.colorspace", output.builtIn?.rawValue ?? "\(output.name) in \(output.config?.path ?? "")"))
        }
        return SHA256.hex(fields.map { "\($0.0)=\($0.1)" }.joined(separator: "\n"))
    }
}
