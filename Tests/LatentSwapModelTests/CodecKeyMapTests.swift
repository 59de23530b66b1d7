import Support
import XCTest
@testable import LatentSwapModel

final class CodecKeyMapTests: XCTestCase {
    func testLDMNamesMapToDiffusers() {
        let cases: [(String, String)] = [
            ("encoder.conv_in.weight", "encoder.conv_in.weight"),
            ("encoder.down.0.block.1.norm1.weight", "encoder.down_blocks.0.resnets.1.norm1.weight"),
            ("encoder.down.1.block.0.nin_shortcut.bias", "encoder.down_blocks.1.resnets.0.conv_shortcut.bias"),
            ("encoder.down.2.downsample.conv.weight", "encoder.down_blocks.2.downsamplers.0.conv.weight"),
            ("encoder.mid.block_1.conv2.weight", "encoder.mid_block.resnets.0.conv2.weight"),
            ("encoder.mid.block_2.norm1.bias", "encoder.mid_block.resnets.1.norm1.bias"),
            ("encoder.mid.attn_1.norm.weight", "encoder.mid_block.attentions.0.group_norm.weight"),
            ("encoder.mid.attn_1.q.weight", "encoder.mid_block.attentions.0.to_q.weight"),
            ("encoder.mid.attn_1.proj_out.bias", "encoder.mid_block.attentions.0.to_out.0.bias"),
            ("encoder.norm_out.weight", "encoder.conv_norm_out.weight"),
            // The LDM decoder counts levels from full resolution; diffusers from the lowest one.
            ("decoder.up.3.block.2.conv1.weight", "decoder.up_blocks.0.resnets.2.conv1.weight"),
            ("decoder.up.0.block.0.nin_shortcut.weight", "decoder.up_blocks.3.resnets.0.conv_shortcut.weight"),
            ("decoder.up.1.upsample.conv.bias", "decoder.up_blocks.2.upsamplers.0.conv.bias"),
            ("first_stage_model.quant_conv.weight", "quant_conv.weight"),
            ("vae.post_quant_conv.bias", "post_quant_conv.bias"),
            // Older diffusers attention names.
            ("decoder.mid_block.attentions.0.query.weight", "decoder.mid_block.attentions.0.to_q.weight"),
            ("decoder.mid_block.attentions.0.proj_attn.bias", "decoder.mid_block.attentions.0.to_out.0.bias"),
            // Current diffusers names pass through.
            ("decoder.up_blocks.1.upsamplers.0.conv.weight", "decoder.up_blocks.1.upsamplers.0.conv.weight"),
            ("decoder.mid_block.attentions.0.to_out.0.weight", "decoder.mid_block.attentions.0.to_out.0.weight"),
        ]
        for (ldm, diffusers) in cases {
            XCTAssertEqual(SDVAEKeyMap.canonical(ldm, levels: 4), diffusers, ldm)
        }
        for foreign in ["model.diffusion_model.input_blocks.0.0.weight", "loss.discriminator.main.0.weight",
                        "encoder.down.4.block.0.conv1.weight", "decoder.mid.attn_1.bogus.weight", "cond_stage_model.x"] {
            XCTAssertNil(SDVAEKeyMap.canonical(foreign, levels: 4), foreign)
        }
    }

    func testTinyCodecNamesFromBothLayouts() {
        XCTAssertEqual(TinyCodecKeyMap.canonical("14.weight", half: .encoder), "encoder.14.weight")
        XCTAssertEqual(TinyCodecKeyMap.canonical("3.pool.1.bias", half: .decoder), "decoder.3.pool.1.bias")
        // diffusers AutoencoderTiny: the decoder's clamp is not a layer, so its indices are one lower.
        XCTAssertEqual(TinyCodecKeyMap.canonical("decoder.layers.0.weight", half: nil), "decoder.1.weight")
        XCTAssertEqual(TinyCodecKeyMap.canonical("decoder.layers.18.bias", half: nil), "decoder.19.bias")
        XCTAssertEqual(TinyCodecKeyMap.canonical("encoder.layers.1.conv.4.weight", half: nil), "encoder.1.conv.4.weight")
        XCTAssertEqual(TinyCodecKeyMap.canonical("encoder.2.weight", half: nil), "encoder.2.weight")
        XCTAssertNil(TinyCodecKeyMap.canonical("decoder.layers.0.weight", half: .encoder))
        XCTAssertNil(TinyCodecKeyMap.canonical("14.weight", half: nil))
        XCTAssertNil(TinyCodecKeyMap.canonical("conv.weight", half: .encoder))
    }

    func testConfigParsesGoldenMicroAndRejectsBadFields() throws {
        let url = CodecTestData.shared.appendingPathComponent("golden/autoencoder_kl_micro/config.json")
        let config = try SDVAEConfig.load(from: url)
        XCTAssertEqual(config.blockOutChannels, [32, 64])
        XCTAssertEqual(config.layersPerBlock, 1)
        XCTAssertEqual(config.normNumGroups, 8)
        XCTAssertEqual(config.latentChannels, 4)
        XCTAssertEqual(config.downscale, 2)
        XCTAssertEqual(config.scalingFactor, 0.18215)
        XCTAssertEqual(config.shiftFactor, 0) // null in the file
        XCTAssertEqual(SDVAEConfig.stableDiffusion.downscale, 8)

        let bad: [(String, String)] = [
            (#"{"block_out_channels": [32, "x"]}"#, "block_out_channels"),
            (#"{"norm_num_groups": 7, "block_out_channels": [32, 64]}"#, "norm_num_groups"),
            (#"{"layers_per_block": -1}"#, "layers_per_block"),
            (#"{"act_fn": "gelu"}"#, "act_fn"),
            (#"{"_class_name": "AutoencoderTiny"}"#, "_class_name"),
            (#"{"block_out_channels": [32, 64], "down_block_types": ["DownEncoderBlock2D"]}"#, "down_block_types"),
            (#"[1, 2]"#, "(file)"),
        ]
        for (text, field) in bad {
            XCTAssertThrowsError(try SDVAEConfig.parse(Data(text.utf8), file: "cfg.json"), text) { error in
                XCTAssertEqual((error as? CodecError).map { if case let .badConfig(_, f, _) = $0 { return f } else { return "" } }, field)
                XCTAssertTrue(String(describing: error).contains("cfg.json"))
            }
        }
    }

    func testIdentityDependsOnWeightsAndArchitecture() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("codec-id-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.bin"), b = folder.appendingPathComponent("b.bin")
        try Data([1, 2, 3]).write(to: a)
        try Data([1, 2, 4]).write(to: b)
        let first = try CodecIdentity(name: "taef2", weightFiles: [a])
        XCTAssertEqual(first, try CodecIdentity(name: "taef2", weightFiles: [a]))
        XCTAssertTrue(first.id.hasPrefix("taef2-") && first.id.count == 6 + 16, first.id)
        XCTAssertNotEqual(first.sha256, try CodecIdentity(name: "taef2", weightFiles: [b]).sha256)
        XCTAssertNotEqual(first.sha256, try CodecIdentity(name: "taef2", weightFiles: [a], architecture: "scale 0.13").sha256)
        XCTAssertThrowsError(try CodecIdentity(name: "x", weightFiles: [folder.appendingPathComponent("missing")])) {
            XCTAssertTrue(String(describing: $0).contains("missing"))
        }
    }

    /// A farm task whose weights' digests are cached does not hash them: a forged cached digest
    /// (size and time still matching) becomes the identity; touching the file brings the real one back.
    func testIdentityUsesCachedDigestsUntilTheFileChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("codec-id-cache-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("taef2_decoder.safetensors")
        try Data(repeating: 5, count: 4096).write(to: weights)
        let digests = FileDigestCache(userFolder: folder.appendingPathComponent("user"))
        let real = try CodecIdentity(name: "taef2", weightFiles: [weights], digests: digests)
        XCTAssertEqual(real, try CodecIdentity(name: "taef2", weightFiles: [weights]), "the cache does not change the identity")

        let entry = folder.appendingPathComponent(".taef2_decoder.safetensors.sha256.json")
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: entry)) as? [String: Any])
        let forged = String(repeating: "0", count: 64)
        object["sha256"] = forged
        try JSONSerialization.data(withJSONObject: object).write(to: entry)
        var combined = SHA256()
        combined.update(forged + "\n")
        XCTAssertEqual(try CodecIdentity(name: "taef2", weightFiles: [weights], digests: digests).sha256, combined.finalizeHex(),
                       "the cached digest is used: the weights were not hashed")

        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: weights.path)
        XCTAssertEqual(try CodecIdentity(name: "taef2", weightFiles: [weights], digests: digests), real, "a touched file is hashed again")
    }
}
