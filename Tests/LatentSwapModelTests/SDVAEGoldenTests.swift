import Foundation
import Neural
import XCTest
@testable import LatentSwapModel

/// Acceptance tests against diffusers AutoencoderKL outputs with random weights
/// (../shared/golden/autoencoder_kl_{micro,tiny}); tolerance max abs 1e-3.
final class SDVAEGoldenTests: XCTestCase {
    static let golden = CodecTestData.shared.appendingPathComponent("golden")

    func testMicroMatchesDiffusersStepByStep() throws {
        let folder = Self.golden.appendingPathComponent("autoencoder_kl_micro")
        let vae = try XCTUnwrap(try CodecLoader.load(.sdvae, weights: folder) as? SDVAE)
        XCTAssertEqual(vae.config.blockOutChannels, [32, 64]) // config.json found beside the weights
        let expected = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
        let input = try expected.tensor("input")
        let png = try CodecTestData.loadPNG(folder.appendingPathComponent("input_64.png"))
        XCTAssertLessThan(CodecTestData.maxAbs(png.map { $0 * 2 - 1 }, input), 1e-6, "input is the PNG / 127.5 - 1")

        let encoderOut = vae.encoder.forward(input)
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(encoderOut, try expected.tensor("encoder_out")), 1e-3)
        try checkMoments(vae, expected, input: input, label: "micro")
    }

    func testTinyMatchesDiffusers() throws {
        let folder = Self.golden.appendingPathComponent("autoencoder_kl_tiny")
        let vae = try XCTUnwrap(try CodecLoader.load(.sdvae, weights: folder.appendingPathComponent("diffusion_pytorch_model.safetensors"),
                                                     config: folder.appendingPathComponent("config.json")) as? SDVAE)
        XCTAssertEqual(vae.downscale, 4)
        try checkMoments(vae, try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors")),
                         input: try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors")).tensor("input"), label: "tiny")
    }

    private func checkMoments(_ vae: SDVAE, _ expected: SafeTensorsFile, input: Tensor, label: String) throws {
        let (mean, logvar) = vae.moments(signed: input)
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(mean, try expected.tensor("latent_mean")), 1e-3, label)
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(logvar, try expected.tensor("latent_logvar")), 1e-3, label)
        let decoded = vae.decodeSigned(try expected.tensor("latent_mean"))
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(decoded, try expected.tensor("decoded_from_mean")), 1e-3, label)

        // The public API: [0,1] in, scaled latents out, and back.
        let scale = vae.config.scalingFactor
        let latents = try vae.encode(Tensor(shape: input.shape, data: input.data.map { ($0 + 1) / 2 }))
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(latents, Tensor(shape: mean.shape, data: mean.data.map { $0 * scale })), 1e-5)
        let image = try vae.decode(latents)
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(image, Tensor(shape: decoded.shape, data: decoded.data.map { ($0 + 1) / 2 })), 1e-3)
    }

    /// The same micro weights renamed to original LDM keys (attention projections as 1x1 convs,
    /// decoder levels counted from full resolution, `first_stage_model.` prefix, plus foreign keys)
    /// must give the same outputs.
    func testLDMKeyNamesLoadTheSameNetwork() throws {
        let folder = Self.golden.appendingPathComponent("autoencoder_kl_micro")
        let source = try SafeTensorsFile(url: folder.appendingPathComponent("diffusion_pytorch_model.safetensors"))
        var renamed: [String: Tensor] = ["model.diffusion_model.out.0.weight": Tensor.zeros([3])]
        for name in source.names {
            let tensor = try source.tensor(name)
            let ldm = Self.ldmName(name, levels: 2)
            renamed["first_stage_model." + ldm] = ldm.contains(".attn_1.") && tensor.shape.count == 2
                ? Tensor(shape: tensor.shape + [1, 1], data: tensor.data) : tensor
        }
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("ldm-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: temp) }
        try SafeTensorsFile.write(renamed, to: temp, metadata: [:])
        let config = try SDVAEConfig.load(from: folder.appendingPathComponent("config.json"))
        let vae = try SDVAE(weights: temp, config: config)
        let expected = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
        try checkMoments(vae, expected, input: try expected.tensor("input"), label: "ldm")
    }

    func testSeededSampleIsDeterministicAndSpreadByTheVariance() throws {
        let folder = Self.golden.appendingPathComponent("autoencoder_kl_micro")
        let vae = try XCTUnwrap(try CodecLoader.load(.sdvae, weights: folder) as? SDVAE)
        let image = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors")).tensor("input").map { ($0 + 1) / 2 }
        let mean = try vae.encode(image)
        let a = try vae.encode(image, sampleSeed: 7), b = try vae.encode(image, sampleSeed: 7), c = try vae.encode(image, sampleSeed: 8)
        XCTAssertEqual(a.data, b.data)
        XCTAssertNotEqual(a.data, c.data)
        // (sample - mean) / (scale * std) should be standard normal.
        let (_, logvar) = vae.moments(signed: Tensor(shape: image.shape, data: image.data.map { $0 * 2 - 1 }))
        let scale = vae.config.scalingFactor
        let z = (0..<a.count).map { (a.data[$0] - mean.data[$0]) / (scale * exp(0.5 * logvar.data[$0])) }
        let m = z.reduce(0, +) / Float(z.count), v = z.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Float(z.count)
        XCTAssertLessThan(abs(m), 0.05)
        XCTAssertLessThan(abs(v - 1), 0.1)
    }

    func testBadWeightsAndConfigNameTheFile() throws {
        let folder = Self.golden.appendingPathComponent("autoencoder_kl_micro")
        // The tiny config does not fit the micro weights: the first mismatching key is named.
        XCTAssertThrowsError(try CodecLoader.load(.sdvae, weights: folder.appendingPathComponent("diffusion_pytorch_model.safetensors"),
                                                  config: Self.golden.appendingPathComponent("autoencoder_kl_tiny/config.json"))) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("autoencoder_kl_micro/diffusion_pytorch_model.safetensors") && text.contains("weight '"), text)
        }
        XCTAssertThrowsError(try CodecLoader.load(.sdvae, weights: CodecTestData.shared.appendingPathComponent("models/taesd/taef2_encoder.safetensors"))) { error in
            XCTAssertTrue(String(describing: error).contains("no AutoencoderKL keys"), "\(error)")
        }
    }

    /// diffusers -> LDM names (the inverse of `SDVAEKeyMap`, written independently for the test).
    static func ldmName(_ name: String, levels: Int) -> String {
        var s = name
        let replacements = [("mid_block.resnets.0", "mid.block_1"), ("mid_block.resnets.1", "mid.block_2"),
                            ("mid_block.attentions.0.group_norm", "mid.attn_1.norm"), ("mid_block.attentions.0.to_q", "mid.attn_1.q"),
                            ("mid_block.attentions.0.to_k", "mid.attn_1.k"), ("mid_block.attentions.0.to_v", "mid.attn_1.v"),
                            ("mid_block.attentions.0.to_out.0", "mid.attn_1.proj_out"), ("conv_norm_out", "norm_out"),
                            ("conv_shortcut", "nin_shortcut"), ("downsamplers.0", "downsample"), ("upsamplers.0", "upsample"),
                            ("resnets", "block")]
        for (from, to) in replacements { s = s.replacingOccurrences(of: from, with: to) }
        if s.hasPrefix("encoder.down_blocks.") { s = s.replacingOccurrences(of: "encoder.down_blocks.", with: "encoder.down.") }
        if s.hasPrefix("decoder.up_blocks.") {
            var parts = s.split(separator: ".").map(String.init)
            parts[1] = "up"
            parts[2] = String(levels - 1 - Int(parts[2])!)
            s = parts.joined(separator: ".")
        }
        return s
    }
}
