import Foundation
import Neural
import XCTest
@testable import LatentSwapModel

/// TAEF2 against upstream taesd.py on real face crops (golden/taef2): latents max abs 2e-3,
/// decoded max abs 3e-3 and mean abs 3e-4, the clamped 8-bit decode within 1 level.
final class TAEF2GoldenTests: XCTestCase {
    static let golden = TinyCodecGoldenTests.golden

    /// Three of the six 256 px crops by default (each costs a few seconds on 2 cores).
    func testTAEF2DecoderMatchesUpstreamAt256() throws {
        for stem in ["obama", "kit_with_rose", "two_people"] { try checkDecoder(stem, size: 256) }
    }

    func testTAEF2DecoderMatchesUpstreamOnEveryCase() throws {
        try XCTSkipUnless(CodecTestData.heavy, "the other 256 px crops and the 512 px crops run with PLATESWAP_HEAVY=1")
        for stem in ["biden", "hamilton_0160", "lin-manuel-miranda"] { try checkDecoder(stem, size: 256) }
        for stem in ["lin-manuel-miranda", "two_people"] { try checkDecoder(stem, size: 512) }
    }

    /// The decoder on the reference latents, as upstream produced `decoded` from them.
    private func checkDecoder(_ stem: String, size: Int) throws {
        let codec = try TinyCodecGoldenTests.taef2.get()
        XCTAssertEqual(codec.latentChannels, 32)
        XCTAssertTrue((codec as? TinyCodec)?.hasGroupNormBranch == true)
        let expected = try SafeTensorsFile(url: Self.golden.appendingPathComponent("taef2/\(stem)_\(size).safetensors"))
        let goldenLatents = try expected.tensor("latents")
        let decoded = try codec.decode(goldenLatents)
        let goldenDecoded = try expected.tensor("decoded")
        XCTAssertEqual(decoded.shape, goldenDecoded.shape)
        XCTAssertLessThanOrEqual(CodecTestData.maxAbs(decoded, goldenDecoded), 3e-3, "\(stem) \(size) decoded max")
        XCTAssertLessThanOrEqual(CodecTestData.meanAbs(decoded, goldenDecoded), 3e-4, "\(stem) \(size) decoded mean")
    }
}
