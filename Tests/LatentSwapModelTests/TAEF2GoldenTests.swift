import Foundation
import Neural
import XCTest
@testable import LatentSwapModel

/// TAEF2 against upstream taesd.py on real face crops (golden/taef2): latents max abs 2e-3,
/// decoded max abs 3e-3 and mean abs 3e-4, the clamped 8-bit decode within 1 level.
final class TAEF2GoldenTests: XCTestCase {
    static let golden = TinyCodecGoldenTests.golden

    /// Three of the six 256 px crops by default (each costs a few seconds on 2 cores).
    func testTAEF2MatchesUpstreamAt256() throws {
        for stem in ["obama", "kit_with_rose", "two_people"] { try check(stem, size: 256) }
    }

    func testTAEF2MatchesUpstreamOnEveryCase() throws {
        try XCTSkipUnless(CodecTestData.heavy, "the other 256 px crops and the 512 px crops run with PLATESWAP_HEAVY=1")
        for stem in ["biden", "hamilton_0160", "lin-manuel-miranda"] { try check(stem, size: 256) }
        for stem in ["lin-manuel-miranda", "two_people"] { try check(stem, size: 512) }
    }

    /// The encoder on the crop PNG / 255; the decoder on the reference latents, as upstream
    /// produced `decoded` and the decoded PNG from them.
    private func check(_ stem: String, size: Int) throws {
        let codec = try TinyCodecGoldenTests.taef2.get()
        XCTAssertEqual(codec.latentChannels, 32)
        XCTAssertTrue((codec as? TinyCodec)?.hasGroupNormBranch == true)
        let expected = try SafeTensorsFile(url: Self.golden.appendingPathComponent("taef2/\(stem)_\(size).safetensors"))
        let goldenLatents = try expected.tensor("latents")
        let image = try CodecTestData.loadPNG(Self.golden.appendingPathComponent("images/\(stem)_crop\(size).png"))
        XCTAssertEqual(image.shape, [1, 3, size, size])
        let latents = try codec.encode(image)
        XCTAssertEqual(latents.shape, goldenLatents.shape)
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(latents, goldenLatents), 2e-3, "\(stem) \(size) latents")

        let decoded = try codec.decode(goldenLatents)
        let goldenDecoded = try expected.tensor("decoded")
        XCTAssertEqual(decoded.shape, goldenDecoded.shape)
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(decoded, goldenDecoded), 3e-3, "\(stem) \(size) decoded max")
        XCTAssertLessThanOrEqual(CodecTestData.meanAbs(decoded, goldenDecoded), 3e-4, "\(stem) \(size) decoded mean")
        let png = try CodecTestData.loadPNG(Self.golden.appendingPathComponent("taef2/\(stem)_\(size)_decoded.png"))
        var worst: Float = 0
        for (ours, theirs) in zip(decoded.data, png.data) {
            worst = max(worst, abs((min(max(ours, 0), 1) * 255).rounded() - (theirs * 255).rounded()))
        }
        XCTAssertLessThanOrEqual(worst, 1, "\(stem) \(size) decoded PNG levels")
    }
}
