import FaceAlign
import Imaging
import Foundation
import LatentSwapModel
import Neural
import PlateIO
@testable import ShotPipeline
import XCTest

/// The swap-follow check at previews: FaceMesh on swapped target crops against the real ones.
final class SwapFollowTests: XCTestCase {
    /// Three frames of the talking woman with different mouths, through the real TAEF2 codec: a
    /// swap that returns each face unchanged follows it (distances near 0), a swap that paints the
    /// first face on every frame does not (its mouth is elsewhere on the other two).
    func testIdentitySwapFollowsAndAFrozenFaceDoesNot() throws {
        var options = ExtractOptions()
        options.size = 256
        let photos = try ExtractFixtures.temporaryDirectory("follow-photos")
        let out = try ExtractFixtures.temporaryDirectory("follow")
        addTeardownBlock { for url in [photos, out] { try? FileManager.default.removeItem(at: url) } }
        // f0000: mouth closed; f0094 and f0126: mouth open, teeth showing.
        for name in ["f0000.jpg", "f0094.jpg", "f0126.jpg"] {
            try FileManager.default.copyItem(at: ExtractFixtures.data("faces/frames/talking_d6/\(name)"),
                                             to: photos.appendingPathComponent(name))
        }
        let source = try FaceImageSource(path: photos.path, colorspace: NamedColorSpace(.srgb), frames: nil, every: 1)
        _ = try FaceSetExtractor(options: options, searchPath: ExtractTests.searchPath).run(source, into: out)
        let codec = try CodecLoader.load(.taef2, searchPath: ExtractTests.searchPath)
        let mesh = try FaceMeshLandmarker(searchPath: ExtractTests.searchPath)
        let plain = CropVariants(flip: false, warped: 0)
        let faces = try FaceSetLatents(folder: out, codec: codec, size: 256, variants: plain)
        let latents = try faces.load(name: "test").set.faces.map { $0[0].latent }
        let check = try XCTUnwrap(try SwapFollowEvaluator(folder: out, document: faces.document, latents: latents, size: 256,
                                                          codec: codec, mesh: mesh))

        let same = try check.evaluate(iteration: 1) { $0 }
        XCTAssertEqual(same.faces, 3)
        XCTAssertLessThan(same.mouth, 0.03, "the codec's round trip alone barely moves the lips: \(same)")
        XCTAssertLessThan(same.eyes, 0.03, "\(same)")

        let frozen = try check.evaluate(iteration: 2) { latents in
            let one = slice(latents, axis: 0, 0..<1).data
            return Tensor(shape: latents.shape, data: Array((0..<latents.shape[0]).map { _ in one }.joined()))
        }
        print("swap follow: identity \(same), frozen \(frozen)")
        XCTAssertGreaterThan(frozen.mouth, 3 * same.mouth + 0.02, "one face on every frame does not follow: \(frozen) vs \(same)")
    }

    func testDistanceIsInInterOcularUnits() {
        var face = [SIMD3<Float>](repeating: .zero, count: FaceMeshTopology.pointCount)
        for i in FaceMeshTopology.rightEyeRing { face[i] = SIMD3(40, 50, 0) }
        for i in FaceMeshTopology.leftEyeRing { face[i] = SIMD3(120, 50, 0) }   // eyes 80 px apart
        var moved = face
        for i in SwapFollowEvaluator.mouthPoints { moved[i].y += 8 }
        XCTAssertEqual(SwapFollowEvaluator.distance(moved, face, points: SwapFollowEvaluator.mouthPoints), 0.1, accuracy: 1e-6)
        XCTAssertEqual(SwapFollowEvaluator.distance(face, face, points: SwapFollowEvaluator.mouthPoints), 0)
    }
}
