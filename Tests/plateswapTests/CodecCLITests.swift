import Foundation
import Imaging
import Neural
import PlateIO
import XCTest

/// `plateswap codec encode|decode|roundtrip` run as a user runs them, checked against the golden
/// TAEF2 outputs of ../shared/golden (tolerances from its README) and for clear failures.
final class CodecCLITests: XCTestCase {
    func testEncodeMatchesTheGoldenLatents() throws {
        let crop = try CLI.sharedFile("golden/images/obama_crop256.png")
        let golden = try SafeTensorsFile(url: CLI.sharedFile("golden/taef2/obama_256.safetensors")).tensor("latents")
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("latents.safetensors")
        let result = try CLI.run(["codec", "encode", crop.path, out.path])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out, "", "logs go to stderr")
        let file = try SafeTensorsFile(url: out)
        XCTAssertEqual(file.names, ["latents"])
        XCTAssertTrue(file.metadata["codec_id"]?.hasPrefix("taef2-") ?? false, "\(file.metadata)")
        let latents = try file.tensor("latents")
        XCTAssertEqual(latents.shape, [1, 32, 32, 32])
        XCTAssertLessThanOrEqual(latents.maxAbsDifference(golden), 2e-3)
    }

    /// Issue 17: the codec id comes from digests cached next to the weights (keyed by size and
    /// time), so a farm task does not hash them again; the shared read-only models are never written.
    func testCodecIdentityComesFromTheDigestCache() throws {
        let crop = try CLI.sharedFile("golden/images/obama_crop256.png")
        let shared = try CLI.sharedFile("models/taesd")
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("weights")
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        for half in ["encoder", "decoder"] {
            try FileManager.default.copyItem(at: shared.appendingPathComponent("taef2_\(half).safetensors"),
                                             to: weights.appendingPathComponent("taef2_\(half).safetensors"))
        }
        let environment = ["XDG_CACHE_HOME": dir.appendingPathComponent("cache").path]
        func codecID(_ extra: [String], _ name: String) throws -> String {
            let out = dir.appendingPathComponent("\(name).safetensors")
            let result = try CLI.run(["codec", "encode", crop.path, out.path] + extra, environment: environment)
            XCTAssertEqual(result.status, 0, result.err)
            return try XCTUnwrap(SafeTensorsFile(url: out).metadata["codec_id"])
        }
        let real = try codecID(["--weights", weights.path], "first")
        let entries = ["encoder", "decoder"].map { weights.appendingPathComponent(".taef2_\($0).safetensors.sha256.json") }
        for entry in entries {
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: entry)) as? [String: Any], entry.path)
            object["sha256"] = String(repeating: "0", count: 64)
            try JSONSerialization.data(withJSONObject: object).write(to: entry)
        }
        let cached = try codecID(["--weights", weights.path], "cached")
        XCTAssertNotEqual(cached, real, "the forged cached digests make the id: the weights were not hashed")
        XCTAssertEqual(try codecID(["--weights", shared.path], "shared"), real, "the shared copy of the same weights has the same id")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: shared.path).sorted(),
                       ["taef2_decoder.safetensors", "taef2_encoder.safetensors"], "nothing written into ../shared")
        let user = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("cache/plateswap/sha256").path)
        XCTAssertEqual(user.count, 2, "the read-only folder's entries went to XDG_CACHE_HOME: \(user)")
    }

    func testDecodeMatchesTheGoldenPNG() throws {
        let latents = try CLI.sharedFile("golden/taef2/obama_256.safetensors")
        let expected = try PNGFile.read(CLI.sharedFile("golden/taef2/obama_256_decoded.png"))
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("decoded.png")
        let result = try CLI.run(["codec", "decode", latents.path, out.path])
        XCTAssertEqual(result.status, 0, result.err)
        let decoded = try PNGFile.read(out)
        XCTAssertEqual([decoded.width, decoded.height], [256, 256])
        for name in ["R", "G", "B"] {
            let worst = zip(decoded[channel: name], expected[channel: name]).map { abs($0 - $1) * 255 }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1.001, "channel \(name): every value within 1 level")
        }
    }

    func testRoundtripPNGWithJSONSummaryAndEveryCodecKind() throws {
        let crop = try CLI.sharedFile("golden/images/obama_crop256.png")
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("rt.png")
        let result = try CLI.run(["codec", "roundtrip", crop.path, out.path, "--json", "--bit-depth", "16"])
        XCTAssertEqual(result.status, 0, result.err)
        let summary = try CLI.json(result.out)
        XCTAssertEqual(Set(summary.keys), ["codec", "codec_id", "input", "output", "latent_shape", "psnr_db", "encode_ms", "decode_ms"])
        XCTAssertEqual(summary["codec"] as? String, "taef2")
        XCTAssertEqual(summary["latent_shape"] as? [Int], [1, 32, 32, 32])
        let psnr = try XCTUnwrap(summary["psnr_db"] as? Double)
        XCTAssertGreaterThan(psnr, 25, "TAEF2 reproduces a face crop")
        XCTAssertLessThan(psnr, 60, "and it is a real round trip, not a copy")
        let back = try PNGFile.read(out)
        XCTAssertEqual([back.width, back.height], [256, 256])
        let input = try PNGFile.read(crop)
        XCTAssertEqual(psnrOf(back, input), psnr, accuracy: 0.2, "the logged PSNR is the written image's")

        // The other codec names load their weights from --weights (golden random-weight models).
        let small = dir.appendingPathComponent("small.png")
        try PNGFile.write(input.resized(width: 64, height: 64, filter: .area), bitDepth: 8, to: small)
        let taesd = try CLI.sharedFile("golden/taesd_sd_arch_w16/taesd_encoder.safetensors")
        let sdvae = try CLI.sharedFile("golden/autoencoder_kl_tiny/diffusion_pytorch_model.safetensors")
        for (kind, weights) in [("taesd", taesd), ("sdvae", sdvae)] {
            let r = try CLI.run(["codec", "roundtrip", small.path, dir.appendingPathComponent("\(kind).png").path,
                                 "--codec", kind, "--weights", weights.path, "--json"])
            XCTAssertEqual(r.status, 0, "\(kind): \(r.err)")
            let s = try CLI.json(r.out)
            XCTAssertEqual(s["codec"] as? String, kind)
            XCTAssertEqual((s["latent_shape"] as? [Int])?.prefix(2), [1, 4], kind)
        }
    }

    func testRoundtripEXRKeepsTheHeaderAndStaysLinear() throws {
        let crop = try PNGFile.read(CLI.sharedFile("golden/images/obama_crop256.png"))
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var linear = crop.selecting(["R", "G", "B"])
        for c in linear.planes.indices { linear.planes[c] = linear.planes[c].map(SRGB.decode) }
        let header = ExrHeader(dataWindow: PixelBox(xMin: 10, yMin: 20, xMax: 265, yMax: 275),
                               displayWindow: PixelBox(width: 300, height: 300), attributes: ["owner": .string("cli test")])
        let input = dir.appendingPathComponent("in.exr"), output = dir.appendingPathComponent("out.exr")
        try ExrWriter.write(linear, header: header, to: input, compression: .zip, pixelType: .float)
        let result = try CLI.run(["codec", "roundtrip", input.path, output.path])
        XCTAssertEqual(result.status, 0, result.err)
        let (back, backHeader) = try ExrImage.read(output)
        XCTAssertEqual(backHeader.dataWindow, header.dataWindow)
        XCTAssertEqual(backHeader.displayWindow, header.displayWindow)
        XCTAssertEqual(backHeader.attributes["owner"], .string("cli test"))
        // Compare in display space: the codec works on sRGB values.
        var error = 0.0
        for name in ["R", "G", "B"] {
            for (a, b) in zip(back[channel: name], linear[channel: name]) { error += Double(abs(SRGB.encode(a) - SRGB.encode(b))) }
        }
        XCTAssertLessThan(error / Double(3 * back.pixelCount), 0.03, "mean display-space error of the round trip")
    }

    func testFailuresExitNonZeroWithOneLineNamingTheFile() throws {
        let dir = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let odd = dir.appendingPathComponent("odd.png")
        try PNGFile.write(ImageBuffer(width: 100, height: 60, channels: ["R", "G", "B"]), bitDepth: 8, to: odd)
        let wrongShape = dir.appendingPathComponent("wrong.safetensors")
        try SafeTensorsFile.write(["latents": Tensor.zeros([1, 4, 8, 8])], to: wrongShape)
        let noLatents = dir.appendingPathComponent("other.safetensors")
        try SafeTensorsFile.write(["x": Tensor.zeros([1])], to: noLatents)
        let missingWeights = dir.appendingPathComponent("nowhere/taef2_encoder.safetensors")
        let cases: [([String], String, String)] = [
            (["codec", "encode", odd.path, dir.appendingPathComponent("o.safetensors").path], odd.path, "multiples of 8"),
            (["codec", "decode", wrongShape.path, dir.appendingPathComponent("o.png").path], wrongShape.path, "expected 1 x 32"),
            (["codec", "decode", noLatents.path, dir.appendingPathComponent("o.png").path], noLatents.path, "no tensor 'latents'"),
            (["codec", "roundtrip", odd.path, dir.appendingPathComponent("o.jpg").path], "o.jpg", "use .png or .exr"),
            (["codec", "encode", odd.path, dir.appendingPathComponent("o.safetensors").path, "--weights", missingWeights.path],
             missingWeights.path, "no such file"),
        ]
        for (arguments, file, reason) in cases {
            let result = try CLI.run(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            let lines = result.err.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, result.err)
            XCTAssertTrue(result.err.contains(file), "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains(reason), "\(arguments): \(result.err)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.png").path), "no output on failure")
    }

    private func psnrOf(_ a: ImageBuffer, _ b: ImageBuffer) -> Double {
        var sum = 0.0, count = 0
        for name in ["R", "G", "B"] {
            for (x, y) in zip(a[channel: name], b[channel: name]) { sum += Double((x - y) * (x - y)); count += 1 }
        }
        return 10 * log10(1 / max(sum / Double(count), 1e-20))
    }
}
