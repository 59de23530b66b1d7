import Foundation
import Neural
import XCTest
@testable import LatentSwapModel

/// Acceptance tests against upstream taesd.py / diffusers outputs (../shared/golden/README.md).
final class TinyCodecGoldenTests: XCTestCase {
    static let golden = CodecTestData.shared.appendingPathComponent("golden")

    /// TAEF2 from the model search path, loaded once for the class.
    static let taef2: Result<LatentCodec, Error> = Result {
        try CodecLoader.load(.taef2, searchPath: ModelSearchPath(folders: [CodecTestData.shared.appendingPathComponent("models")]))
    }

    /// The SD-1.x TAESD structure (4 channels, no GroupNorm branch) at width 16, loaded from
    /// taesd.py files and from the diffusers AutoencoderTiny layout.
    func testSDStructureFromBothKeyLayouts() throws {
        let folder = Self.golden.appendingPathComponent("taesd_sd_arch_w16")
        let expected = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
        let input = try expected.tensor("input")
        let png = try CodecTestData.loadPNG(folder.appendingPathComponent("input_128.png"))
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(png, input), 1e-7, "input is the PNG / 255")
        let layouts: [URL] = [folder.appendingPathComponent("taesd_encoder.safetensors"), folder.appendingPathComponent("diffusers")]
        for weights in layouts {
            let codec = try CodecLoader.load(.taesd, weights: weights)
            let tiny = try XCTUnwrap(codec as? TinyCodec)
            XCTAssertEqual(tiny.latentChannels, 4)
            XCTAssertEqual(tiny.width, 16)
            XCTAssertFalse(tiny.hasGroupNormBranch)
            let latents = try codec.encode(input)
            XCTAssertLessThanOrEqual(CodecTestData.maxAbs(latents, try expected.tensor("latents")), 1e-4, weights.lastPathComponent)
            let decoded = try codec.decode(try expected.tensor("latents"))
            XCTAssertLessThanOrEqual(CodecTestData.maxAbs(decoded, try expected.tensor("decoded")), 1e-4, weights.lastPathComponent)
        }
    }

    func testMissingAndMismatchedWeightsAreClearErrors() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-models-\(UUID())")
        XCTAssertThrowsError(try CodecLoader.load(.taef2, searchPath: ModelSearchPath(folders: [empty]))) { error in
            XCTAssertTrue(String(describing: error).contains("taesd/taef2_encoder.safetensors"), "\(error)")
            XCTAssertTrue(String(describing: error).contains(empty.path), "\(error)")
        }
        // A TAEF2 encoder (GroupNorm branch, 32 channels) with the w16 SD decoder beside it.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: CodecTestData.shared.appendingPathComponent("models/taesd/taef2_encoder.safetensors"),
                                         to: folder.appendingPathComponent("x_encoder.safetensors"))
        try FileManager.default.copyItem(at: Self.golden.appendingPathComponent("taesd_sd_arch_w16/taesd_decoder.safetensors"),
                                         to: folder.appendingPathComponent("x_decoder.safetensors"))
        XCTAssertThrowsError(try CodecLoader.load(.taef2, weights: folder.appendingPathComponent("x_encoder.safetensors"))) { error in
            XCTAssertTrue(String(describing: error).contains("x_encoder.safetensors"), "\(error)")
        }
        // An encoder without its decoder beside it.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("x_decoder.safetensors"))
        XCTAssertThrowsError(try CodecLoader.load(.taef2, weights: folder.appendingPathComponent("x_encoder.safetensors"))) { error in
            XCTAssertTrue(String(describing: error).contains("x_decoder.safetensors"), "\(error)")
        }
        XCTAssertThrowsError(try CodecLoader.load(.taef2, weights: folder)) { error in
            XCTAssertTrue(String(describing: error).contains("taef2_encoder.safetensors"), "\(error)")
        }
        // An SD VAE file given as a tiny codec.
        XCTAssertThrowsError(try CodecLoader.load(.taesd, weights: Self.golden.appendingPathComponent("autoencoder_kl_micro/diffusion_pytorch_model.safetensors"))) { error in
            XCTAssertTrue(String(describing: error).contains("not codec weights"), "\(error)")
        }
    }

    func testIdentityIsStableAndNamesTheWeights() throws {
        let codec = try Self.taef2.get()
        XCTAssertTrue(try codec.id.hasPrefix("taef2-"))
        let again = try CodecLoader.load(.taef2, searchPath: ModelSearchPath(folders: [CodecTestData.shared.appendingPathComponent("models")]))
        XCTAssertEqual(try codec.id, try again.id)
        let sd = try CodecLoader.load(.taesd, weights: Self.golden.appendingPathComponent("taesd_sd_arch_w16"))
        XCTAssertNotEqual(try codec.identity.sha256, try sd.identity.sha256)
    }
}
