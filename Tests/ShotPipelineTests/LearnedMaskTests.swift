import Compositor
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import XCTest
@testable import ShotPipeline

/// shot.yaml's `blend.learned_mask`: the face mask times the mask the model predicts for its swap.
final class LearnedMaskTests: XCTestCase {
    /// Darkens the crop and says it drew no face in the crop's left half.
    struct HalfFaceSwapper: FaceSwapper {
        var cropSize: Int { 32 }
        var identity: String { "half-face" }
        func swap(_ crop: ImageBuffer) throws -> ImageBuffer { try DarkenSwapper().swap(crop) }
        func swapWithMask(_ crop: ImageBuffer, clock: inout StageClock) throws -> (image: ImageBuffer, mask: [Float]?) {
            (try swap(crop), (0..<cropSize * cropSize).map { $0 % cropSize < cropSize / 2 ? 0 : 1 })
        }
    }

    func render(_ swapper: FaceSwapper, learned: Bool, in fixture: ShotFixture, output: String) throws -> ImageBuffer {
        let config = try fixture.writeShot("", output: "\(output)/swap.####.exr", name: "\(output).yaml")
        var shot = config
        shot.blend.learnedMask = learned
        let report = try ShotRunner(config: shot, faces: FixedFaceProvider(), swapper: swapper).run(.init(frames: [1001]))
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        return try ExrImage.read(fixture.outputURL(1001, folder: output)).image
    }

    func testThePredictedMaskKeepsThePlateWhereTheModelDrewNoFace() throws {
        let fixture = try ShotFixture(frames: [1001])
        defer { fixture.remove() }
        XCTAssertTrue(try fixture.writeShot().blend.learnedMask, "on by default")
        let plate = try ExrImage.read(fixture.plateURL(1001)).image
        let on = try render(HalfFaceSwapper(), learned: true, in: fixture, output: "on")
        let off = try render(HalfFaceSwapper(), learned: false, in: fixture, output: "off")
        let (matteOn, matteOff) = (on[channel: "swap.A"], off[channel: "swap.A"])
        XCTAssertTrue(zip(matteOn, matteOff).allSatisfy { $0 <= $1 + 1e-6 }, "the predicted mask only takes away")
        let (sumOn, sumOff) = (matteOn.reduce(0, +), matteOff.reduce(0, +))
        XCTAssertGreaterThan(sumOff, 100)
        XCTAssertLessThan(sumOn, 0.7 * sumOff, "half the crop is not face to the model")
        XCTAssertGreaterThan(sumOn, 0.3 * sumOff)
        // Where the model drew no face the plate stays bit for bit, though the face mask covers it.
        var kept = 0
        for i in 0..<plate.pixelCount where matteOn[i] == 0 && matteOff[i] > 0.5 {
            kept += 1
            XCTAssertEqual(on[channel: "G"][i].bitPattern, plate[channel: "G"][i].bitPattern, "pixel \(i)")
        }
        XCTAssertGreaterThan(kept, 20)
        // A swapper that predicts no mask is composited as without the key.
        let plain = try render(DarkenSwapper(), learned: true, in: fixture, output: "plain-on")
        let plainOff = try render(DarkenSwapper(), learned: false, in: fixture, output: "plain-off")
        XCTAssertEqual(plain[channel: "G"].map(\.bitPattern), plainOff[channel: "G"].map(\.bitPattern))
    }

    /// The trained model's mask head reaches the crop: a [0, 1] mask at crop size, none without heads.
    func testLatentSwapperUpsamplesTheMaskHeadToTheCrop() throws {
        let codec = PoolingCodec()
        let crop = ImageBuffer(width: 64, height: 64, channels: ["R", "G", "B"], fill: 0.4)
        for mask in [16, 0] {
            let config = SwapModelConfig(archetype: .df, dims: .init(encoder: 8, decoder: 8, bottleneck: 16, mask: mask),
                                         vq: .init(enabled: false), codec: .init(id: "taef2", sha256: try codec.identity.sha256, channels: 4),
                                         resolution: 64)
            let model = SwapModel(directory: URL(fileURLWithPath: "/tmp/unused.plateswap"), network: SwapAutoencoder(config: config, seed: 3),
                                  state: TrainState(iteration: 1, seed: 3, learningRate: 1e-4))
            var clock = StageClock()
            let (image, predicted) = try LatentSwapper(model: model, codec: codec).swapWithMask(crop, clock: &clock)
            XCTAssertEqual([image.width, image.height], [64, 64])
            if mask == 0 { XCTAssertNil(predicted); continue }
            let values = try XCTUnwrap(predicted)
            XCTAssertEqual(values.count, 64 * 64)
            XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 <= 1 })
            XCTAssertGreaterThan(Set(values).count, 4, "upsampled, not one value")
        }
    }
}
