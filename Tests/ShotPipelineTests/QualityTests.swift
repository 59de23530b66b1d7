import Foundation
import PlateIO
import XCTest
@testable import Imaging
@testable import ShotPipeline

/// `FaceQuality` on a real face photo, and `plateswap quality` on an identity-swapped synthetic shot.
final class QualityTests: XCTestCase {
    /// A face photo (display-encoded JPEG) against a blurred and a noisy copy of itself, inside an
    /// ellipse over the face.
    func testBlurAndNoiseOnARealFace() throws {
        let url = ExtractFixtures.data("faces/deepface/id01/img1.jpg")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("shared data missing: \(url.path)") }
        let face = try StillImage.read(url).selecting(["R", "G", "B"])
        let (w, h) = (face.width, face.height)
        let mask: [Float] = (0..<face.pixelCount).map { i in
            let dx = Double(i % w - w / 2) / (0.3 * Double(w)), dy = Double(i / w - h / 2) / (0.3 * Double(h))
            return dx * dx + dy * dy < 1 ? 1 : 0
        }
        let same = try XCTUnwrap(FaceQuality.measure(output: face, reference: face, mask: mask))
        XCTAssertEqual(same.psnr, .infinity)
        XCTAssertEqual(same.ssim, 1, accuracy: 1e-6)
        XCTAssertEqual(same.detail, 1)
        XCTAssertEqual(same.gms, 1)

        let blurred = try XCTUnwrap(FaceQuality.measure(output: face.qualityBlurred(sigma: 2), reference: face, mask: mask))
        XCTAssertLessThan(blurred.detail, 0.6)
        XCTAssertLessThan(blurred.ssim, 0.98)
        XCTAssertLessThan(blurred.gms, 0.98)

        var noisy = face, state: UInt64 = 7
        for c in 0..<3 { for i in 0..<noisy.pixelCount {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            noisy.planes[c][i] += 0.1 * (Float(state >> 40) / Float(1 << 24) * 2 - 1)
        } }
        let noise = try XCTUnwrap(FaceQuality.measure(output: noisy, reference: face, mask: mask))
        XCTAssertGreaterThan(noise.detail, 1.1)
        XCTAssertLessThan(noise.gms, 0.98)
    }

    func testQualityCommandOnAnIdentitySwapAndABlurredFrame() throws {
        let dir = try ExtractFixtures.temporaryDirectory("quality")
        defer { try? FileManager.default.removeItem(at: dir) }
        let frames = Array(1001...1004)
        try SyntheticShot.writePlates(dir.appendingPathComponent("plates"), frames: frames, window: PixelBox(width: 200, height: 160))
        try SyntheticShot.writeTracks(dir.appendingPathComponent("tracks.json"), plate: dir.appendingPathComponent("plates/plate.####.exr"), frames: frames, cx: 100, cy: 80, side: 90,
                                      without: [1004])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        let shot = dir.appendingPathComponent("shot.yaml")
        try """
            shot: QUALITY
            plate: {path: plates/plate.####.exr}
            output: {path: out/swap.####.exr, compression: zip, tracks: tracks.json}
            model: {path: model.plateswap}
            face: {size: 128}
            blend: {mask_erode: 2, mask_blur: 4}
            """.write(to: shot, atomically: true, encoding: .utf8)

        XCTAssertEqual(try ExtractFixtures.plateswap(["quality", shot.path]).status, 1, "nothing written yet")
        XCTAssertEqual(try ExtractFixtures.plateswap(["run", shot.path, "--identity-swap"]).status, 0)
        let before = try ExtractFixtures.plateswap(["quality", shot.path, "--json"])
        XCTAssertEqual(before.status, 0, before.stderr)
        let first = try Self.scores(before.stdout)
        XCTAssertEqual(first.frames.keys.sorted(), [1001, 1002, 1003])
        XCTAssertEqual(first.skipped, [1004])
        // The paste-back resamples the plate twice (into the crop and back), which softens this
        // plate's hard synthetic edges: about ssim 0.93, gms 0.97, psnr 24 dB, detail 0.68.
        for (frame, s) in first.frames {
            XCTAssertGreaterThan(s["ssim"]!, 0.9, "frame \(frame)")
            XCTAssertGreaterThan(s["gms"]!, 0.95, "frame \(frame)")
            XCTAssertGreaterThan(s["psnr"]!, 22, "frame \(frame)")
        }

        // Blur frame 1002's RGB inside its mask: only that frame's scores drop.
        let url = dir.appendingPathComponent("out/swap.1002.exr")
        let (written, header) = try ExrImage.read(url, layer: nil)
        var image = written
        let soft = image.qualityBlurred(sigma: 2), mask = image[channel: "swap.A"]
        for name in ["R", "G", "B"] {
            let c = image.channelIndex(name)!
            for i in 0..<image.pixelCount { image.planes[c][i] += mask[i] * (soft[channel: name][i] - image.planes[c][i]) }
        }
        try ExrWriter.write(image, header: header, to: url, compression: .zip)
        let after = try Self.scores(try ExtractFixtures.plateswap(["quality", shot.path, "--json"]).stdout)
        for key in ["ssim", "gms", "detail", "psnr"] {
            XCTAssertLessThan(after.frames[1002]![key]!, first.frames[1002]![key]! - 0.01, key)
            XCTAssertEqual(after.frames[1001]![key]!, first.frames[1001]![key]!, key)
            XCTAssertLessThan(after.total[key]!, first.total[key]!, key)
        }

        let text = try ExtractFixtures.plateswap(["quality", shot.path, "--frames", "1003-1004"])
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("skipped (empty mask): 1004"), text.stdout)
        XCTAssertEqual(try ExtractFixtures.plateswap(["quality", shot.path, "--frames", "1004"]).status, 1)
        XCTAssertEqual(try ExtractFixtures.plateswap(["quality", shot.path, "--frames", "x"]).status, 2)
        XCTAssertEqual(try ExtractFixtures.plateswap(["quality", dir.appendingPathComponent("none.yaml").path]).status, 2)
    }

    /// Per-frame scores, the pooled total and the skipped frames of `plateswap quality --json`.
    static func scores(_ json: String) throws -> (frames: [Int: [String: Double]], total: [String: Double], skipped: [Int]) {
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var frames: [Int: [String: Double]] = [:]
        for entry in try XCTUnwrap(root["frames"] as? [[String: Any]]) {
            frames[try XCTUnwrap(entry["frame"] as? Int)] = entry.compactMapValues { $0 as? Double }
        }
        let total = try XCTUnwrap(root["total"] as? [String: Any]).compactMapValues { $0 as? Double }
        return (frames, total, try XCTUnwrap(root["skipped"] as? [Int]))
    }
}
