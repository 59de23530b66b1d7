import FaceAlign
import Foundation
import Imaging
import Neural
import PlateIO
import ShotPipeline
import XCTest

/// `plateswap extract` in-process on real footage and plates (../shared/data).
final class ExtractTests: XCTestCase {
    static let searchPath = ModelSearchPath(folders: [ExtractFixtures.shared.appendingPathComponent("models")])

    func extract(_ path: String, frames: String? = nil, every: Int = 1, colorspace: NamedColorSpace? = nil,
                 configure: (inout ExtractOptions) -> Void = { _ in }) throws -> (FaceSetDocument, URL) {
        var options = ExtractOptions()
        options.size = 256
        configure(&options)
        let source = try FaceImageSource(path: path, colorspace: colorspace, frames: try frames.map { try FrameRange(parsing: $0) },
                                         every: every)
        let out = try ExtractFixtures.temporaryDirectory("extract")
        addTeardownBlock { try? FileManager.default.removeItem(at: out) }
        let doc = try FaceSetExtractor(options: options, searchPath: Self.searchPath).run(source, into: out)
        // What is on disk is what was returned.
        let written = try FaceSetDocument.read(from: out.appendingPathComponent("faceset.json"))
        XCTAssertEqual(written, doc)
        return (doc, out)
    }

    /// A movie: every 2nd frame, one tracked face, crops whose pixels sit where the matrix says.
    func testMovieFramesGiveTrackedAlignedCrops() throws {
        let movie = ExtractFixtures.data("footage/talking_d9.mp4")
        let (doc, out) = try extract(movie.path, frames: "0-5", every: 2)
        XCTAssertEqual(doc.faces.map(\.frame), [0, 2, 4])
        XCTAssertEqual(Set(doc.faces.map(\.track)), [0], "one person, one track")
        XCTAssertTrue(doc.framesWithoutFaces.isEmpty)
        let reader = try MovieReader(url: movie)
        for entry in doc.faces {
            XCTAssertEqual(entry.landmarks.count, 468)
            XCTAssertEqual(entry.size, 256)
            let crop = try PNGFile.read(out.appendingPathComponent(entry.file))
            XCTAssertEqual([crop.width, crop.height], [256, 256])
            let mask = try PNGFile.read(out.appendingPathComponent(entry.mask))
            XCTAssertEqual(mask[channel: "R"][128 * 256 + 128], 1, "face centre inside the mask")
            XCTAssertEqual(mask[channel: "R"][0], 0, "crop corner outside the mask")
            // The source pixel at a landmark is the crop pixel where the matrix puts it.
            let frame = try reader.read(frame: entry.frame!)
            let m = entry.matrix
            var worst: Float = 0
            for index in [1, 4, 168, 197] {   // nose tip, nose bridge, between the brows, nose
                let p = entry.landmarks[index]
                let (x, y) = (Double(p[0]), Double(p[1]))
                let cx = Int((m[0][0] * x + m[0][1] * y + m[0][2]).rounded()), cy = Int((m[1][0] * x + m[1][1] * y + m[1][2]).rounded())
                let src = Int(x.rounded()) + Int(y.rounded()) * frame.width
                for c in ["R", "G", "B"] {
                    worst = max(worst, abs(crop[channel: c][cy * 256 + cx] - frame[channel: c][src]))
                }
            }
            XCTAssertLessThan(worst, 0.08, "crop pixel vs source pixel at the mapped landmark")
        }
    }

    /// Scene-linear EXR plates are converted to sRGB exactly like the 16-bit sRGB PNG plate, and a
    /// data window that starts at (100, 40) gives landmarks in the same plate pixel space.
    func testExrPlatesMatchThePNGPlateAndKeepTheDataWindowOffset() throws {
        let (exr, exrDir) = try extract(ExtractFixtures.data("plates/s18_piz/plate.####.exr").path, frames: "1001")
        let (png, pngDir) = try extract(ExtractFixtures.data("plates/s18_png16/plate.%04d.png").path, frames: "1001")
        let (dwaa, _) = try extract(ExtractFixtures.data("plates/s18_dwaa_crop/plate.$F4.exr").path, frames: "1001")
        for doc in [exr, png, dwaa] {
            XCTAssertEqual(doc.faces.count, 1)
            XCTAssertEqual(doc.faces.first?.frame, 1001)
        }
        func meanDistance(_ a: FaceSetDocument.Entry, _ b: FaceSetDocument.Entry) -> Float {
            zip(a.landmarks, b.landmarks).map { hypot($0[0] - $1[0], $0[1] - $1[1]) }.reduce(0, +) / Float(a.landmarks.count)
        }
        XCTAssertLessThan(meanDistance(exr.faces[0], png.faces[0]), 0.05, "same pixels within half precision")
        // The cropped plate's mesh ROI runs past its data window (edge pixels repeat), so a few px.
        XCTAssertLessThan(meanDistance(exr.faces[0], dwaa.faces[0]), 3, "data window offset applied")
        let a = try PNGFile.read(exrDir.appendingPathComponent(exr.faces[0].file))
        let b = try PNGFile.read(pngDir.appendingPathComponent(png.faces[0].file))
        let diff = zip(a.planes.flatMap { $0 }, b.planes.flatMap { $0 }).map { abs($0 - $1) }
        XCTAssertLessThan(diff.reduce(0, +) / Float(diff.count), 0.002, "EXR crop (linear -> sRGB) equals the sRGB PNG crop")
    }

    /// A folder of photos: faces of every photo, a photo without a face and an unreadable file are
    /// listed and do not stop the run; `select` keeps the largest face.
    func testPhotoFolderListsMissesAndSelectsLargest() throws {
        let folder = try ExtractFixtures.temporaryDirectory("photos")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let fm = FileManager.default
        try fm.createSymbolicLink(at: folder.appendingPathComponent("a_group.jpg"),
                                  withDestinationURL: ExtractFixtures.data("faces/deepface/multi/selfie-many-people.jpg"))
        try fm.createSymbolicLink(at: folder.appendingPathComponent("b_dogs.jpg"), withDestinationURL: ExtractFixtures.data("faces/dlib/dogs.jpg"))
        try Data("not a png".utf8).write(to: folder.appendingPathComponent("c_broken.png"))

        let (all, _) = try extract(folder.path)
        let group = all.faces.filter { $0.source.hasSuffix("a_group.jpg") }
        XCTAssertGreaterThanOrEqual(group.count, 4, "a group selfie")
        XCTAssertEqual(group.map(\.faceIndex), Array(0..<group.count))
        XCTAssertTrue(all.faces.allSatisfy { $0.track == nil && $0.frame == nil }, "photos have no track or frame")
        let areas = group.map { ($0.box[2] - $0.box[0]) * ($0.box[3] - $0.box[1]) }
        XCTAssertEqual(areas, areas.sorted(by: >), "largest first")
        let misses = Dictionary(uniqueKeysWithValues: all.framesWithoutFaces.map { (URL(fileURLWithPath: $0.source).lastPathComponent, $0.reason) })
        XCTAssertEqual(misses["b_dogs.jpg"], "no face found")
        XCTAssertTrue(misses["c_broken.png"]?.contains("c_broken.png") ?? false, "the error names the file: \(misses)")

        let (largest, dir) = try extract(folder.path) { $0.select = .largest }
        XCTAssertEqual(largest.faces.count, 1)
        XCTAssertEqual(largest.faces.first?.box, group.first?.box)
        let crops = try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("faces").path)
        XCTAssertEqual(crops, ["000000.png"])
    }

    func testBadInputsNameTheFileAndField() throws {
        XCTAssertThrowsError(try FaceImageSource(path: "/nonexistent/plate.####.exr")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent"), "\(error)")
        }
        XCTAssertThrowsError(try FaceImageSource(path: ExtractFixtures.data("plates/s18_piz/plate.####.exr").path,
                                                 frames: try FrameRange(parsing: "2001-2002"))) { error in
            XCTAssertTrue("\(error)".contains("no frames"), "\(error)")
        }
        var options = ExtractOptions()
        options.size = 300
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".hasPrefix("--size"), "\($0)") }
    }
}
