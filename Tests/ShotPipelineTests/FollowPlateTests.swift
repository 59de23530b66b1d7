import FaceAlign
import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// shot.yaml's `blend.follow_plate` on a real plate frame (s18, tracked): a swap that draws the face
/// to one side of the plate's is warped so that its features land on the plate's, and a swap with
/// no face in it is left as drawn, bit for bit.
final class FollowPlateTests: XCTestCase {
    /// Draws the plate's own face `dx` pixels to the right (the crop's content moved, edges held).
    struct ShiftingSwapper: FaceSwapper {
        let dx: Double
        var cropSize: Int { 256 }
        var identity: String { "shift-\(dx)" }
        func swap(_ crop: ImageBuffer) throws -> ImageBuffer { crop.remapped { $0 - SIMD2(dx, 0) } }
    }

    /// A flat grey swap: FaceMesh finds no face in it.
    struct GreySwapper: FaceSwapper {
        var cropSize: Int { 256 }
        var identity: String { "grey" }
        func swap(_ crop: ImageBuffer) throws -> ImageBuffer { ImageBuffer(width: 256, height: 256, channels: ["R", "G", "B"], fill: 0.5) }
    }

    var dir: URL!
    override func setUpWithError() throws {
        try requireModels(["mtcnn/pnet.safetensors", "mediapipe/face_landmark.safetensors"])
        dir = try SyntheticShot.temporaryFolder("follow-plate")
    }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    func run(_ swapper: FaceSwapper, follow: Double, output: String) throws -> (RunReport, ImageBuffer) {
        let shot = dir.appendingPathComponent("\(output).yaml")
        try """
            shot: FOLLOW
            plate: {path: \(ExtractFixtures.data("plates/s18_piz").path)/plate.####.exr, colorspace: linear_rec709, frames: 1001-1001}
            output: {path: \(output)/swap.####.exr, tracks: tracks.json, layers: [rgba, mask]}
            model: {path: model.plateswap}
            face: {size: 256, type: whole_face}
            blend: {color_transfer: none, follow_plate: \(follow)}
            """.write(to: shot, atomically: true, encoding: .utf8)
        let config = try ShotConfig.load(shot)
        let report = try ShotRunner(config: config, faces: TrackedFaces(searchPath: ExtractTests.searchPath), swapper: swapper).run()
        XCTAssertEqual(report.done, [1001], "\(report.failed)")
        return (report, try ExrImage.read(dir.appendingPathComponent("\(output)/swap.1001.exr")).image)
    }

    /// Mean |output - plate| of the green channel where the matte is whole.
    func errorInsideTheMatte(_ out: ImageBuffer, plate: ImageBuffer) -> Double {
        let matte = out[channel: "swap.A"], (o, p) = (out[channel: "G"], plate[channel: "G"])
        var sum = 0.0, count = 0
        for i in 0..<out.pixelCount where matte[i] >= 0.99 {
            sum += Double(abs(o[i] - p[i]))
            count += 1
        }
        XCTAssertGreaterThan(count, 5_000, "the face's matte")
        return sum / Double(max(count, 1))
    }

    func testAFaceDrawnToOneSideIsMovedBackOntoThePlatesFeatures() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        let plate = try ExrImage.read(ExtractFixtures.data("plates/s18_piz/plate.1001.exr")).image
        let (plainReport, plain) = try run(ShiftingSwapper(dx: 8), follow: 0, output: "plain")
        let (report, followed) = try run(ShiftingSwapper(dx: 8), follow: 1, output: "follow")
        XCTAssertNil(plainReport.followPlate)
        let shift = try XCTUnwrap(report.followPlate?["1001"], "the frame's features were moved")
        XCTAssertGreaterThan(shift, 0.05, "8 crop pixels are about a tenth of the eye distance")
        XCTAssertLessThan(shift, 0.2)
        let (before, after) = (errorInsideTheMatte(plain, plate: plate), errorInsideTheMatte(followed, plate: plate))
        print("measured: mean |output - plate| inside the matte: \(before) drawn 8 px aside, \(after) followed")
        XCTAssertLessThan(after, 0.5 * before, "the features are back where the plate has them")
        // Pixels outside the matte stay the plate's either way.
        let matte = followed[channel: "swap.A"], (o, p) = (followed[channel: "R"], plate[channel: "R"])
        for i in 0..<followed.pixelCount where matte[i] == 0 {
            if o[i].bitPattern != p[i].bitPattern { return XCTFail("pixel \(i) changed outside the matte") }
        }
    }

    func testASwapWithoutAFaceIsLeftAsDrawn() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        let (_, plain) = try run(GreySwapper(), follow: 0, output: "plain")
        let (report, followed) = try run(GreySwapper(), follow: 1, output: "follow")
        XCTAssertEqual(report.followPlate, [:], "no frame was warped")
        XCTAssertEqual(plain[channel: "G"].map(\.bitPattern), followed[channel: "G"].map(\.bitPattern))
    }
}
