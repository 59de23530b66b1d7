import FaceAlign
import Foundation
import Imaging
import Neural
import PlateIO
import XCTest
@testable import ShotPipeline

/// One crop for training and swapping: on real plates, the crop `run` feeds the codec is the crop
/// `extract` stored for the same frame and face, and `train`'s variant 0 is that stored file.
final class CropParityTests: XCTestCase {
    /// A 16-bit PNG holds round(v * 65535): half a code of quantisation, plus float rounding.
    static let pngTolerance: Float = 0.5 / 65535 + 1e-6

    /// Records every crop the pipeline hands to the codec and returns it unchanged.
    final class RecordingSwapper: FaceSwapper {
        let cropSize: Int
        var crops: [ImageBuffer] = []
        var identity: String { "recording" }
        init(cropSize: Int) { self.cropSize = cropSize }
        func swap(_ crop: ImageBuffer) throws -> ImageBuffer {
            crops.append(crop)
            return crop
        }
    }

    func testEXRPlateRunCropEqualsTheExtractedCrop() throws {
        try checkParity(source: "plates/s18_piz/plate.####.exr", plate: "{path: PATH, colorspace: linear_rec709}",
                        extractFrame: 1001, runFrame: 1001)
    }

    func testPNGPlateRunCropEqualsTheExtractedCrop() throws {
        try checkParity(source: "plates/s18_png16/plate.####.png", plate: "{path: PATH}",
                        extractFrame: 1001, runFrame: 1001)
    }

    func testMoviePlateRunCropEqualsTheExtractedCrop() throws {
        try checkParity(source: "plates/s18_prores422hq.mov", plate: "{path: PATH, first_frame: 1001}",
                        extractFrame: 0, runFrame: 1001)
    }

    /// Extracts one frame, hands its landmarks to `run` as tracks.json (through the real
    /// `ShotTracks`), and compares what the codec received with the stored PNG.
    func checkParity(source: String, plate: String, extractFrame: Int, runFrame: Int) throws {
        let dir = try SyntheticShot.temporaryFolder("crop-parity")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = ExtractFixtures.data(source).path
        // PNG and movie plates declare nothing on either side: both read them by their tags (sRGB).
        let colorspace: NamedColorSpace? = source.hasSuffix(".exr") ? NamedColorSpace(.linearRec709) : nil
        var options = ExtractOptions()
        options.size = 256
        let images = try FaceImageSource(path: path, colorspace: colorspace, frames: try FrameRange(parsing: "\(extractFrame)"))
        let faceSet = dir.appendingPathComponent("faceset")
        let doc = try FaceSetExtractor(options: options, searchPath: ExtractTests.searchPath).run(images, into: faceSet)
        let entry = try XCTUnwrap(doc.faces.first)
        let stored = try PNGFile.read(faceSet.appendingPathComponent(entry.file)).selecting(["R", "G", "B"])

        let face: [String: Any] = ["track": 0, "box": entry.box, "score": entry.score, "points5": entry.points5,
                                   "landmarks": entry.landmarks, "presence": entry.presence, "interpolated": false]
        let tracks: [String: Any] = [
            "version": 1, "frame_rate": 24, "smoothing": ["min_cutoff": 1.0, "beta": 0.05, "d_cutoff": 1.0],
            "tracks": [["id": 0, "first_frame": runFrame, "last_frame": runFrame, "detections": 1]],
            "frames": [["frame": runFrame, "faces": [face]]],
        ]
        try JSONSerialization.data(withJSONObject: tracks).write(to: dir.appendingPathComponent("tracks.json"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        let shot = dir.appendingPathComponent("shot.yaml")
        try """
            shot: PARITY
            plate: \(plate.replacingOccurrences(of: "PATH", with: path))
            output: {path: out/swap.####.exr, tracks: tracks.json, layers: [rgba]}
            model: {path: model.plateswap}
            face: {size: 256, type: whole_face}
            """.write(to: shot, atomically: true, encoding: .utf8)
        let config = try ShotConfig.load(shot)
        try SyntheticShot.stamp(tracksOf: config)
        let swapper = RecordingSwapper(cropSize: 256)
        let report = try ShotRunner(config: config, faces: TrackedFaces(searchPath: ExtractTests.searchPath),
                                    swapper: swapper).run(.init(frames: [runFrame]))
        XCTAssertEqual(report.done, [runFrame], "\(report.failed)")
        let fed = try XCTUnwrap(swapper.crops.first)
        XCTAssertEqual(swapper.crops.count, 1)

        var worst: Float = 0
        for c in 0..<3 {
            for (a, b) in zip(fed.planes[c], stored.planes[c]) { worst = max(worst, abs(a - b)) }
        }
        print("\(source): max |run crop - extracted crop| = \(worst) (\(worst * 65535) codes of 65535)")
        XCTAssertLessThanOrEqual(worst, Self.pngTolerance, "run's codec input is the stored face set crop")

        // Training at the face set's size: variant 0 is the stored file, bit for bit.
        let mask = try PNGFile.read(faceSet.appendingPathComponent(entry.mask)).selecting(["R"])
        let variant = CropVariants().render(index: 0, face: entry.file, crop: stored, mask: mask, size: 256)
        XCTAssertEqual(variant.crop, stored)
        XCTAssertEqual(variant.mask, mask)
    }
}
