import ArgumentParser
import FaceAlign
import Foundation
import Imaging
import ShotPipeline

/// `plateswap detect IMAGE [--json]`: faces, scores, 5 points and 468 landmarks of one image.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find faces in an image (PNG, JPEG, EXR, ...): boxes, scores, 5 points and 468 landmarks.",
        discussion: """
            Coordinates are image pixels with pixel centres at integer coordinates (EXR: the file's pixel \
            space, data window offset included). Faces are sorted by box area, largest first. With --json \
            stdout holds one JSON object: {"image", "width", "height", "faces": [{"box": [x1, y1, x2, y2], \
            "score", "points5": [[x, y] x5], "landmarks": [[x, y, z] x468], "presence"}]}.
            """)

    @Argument(help: "The image to search (PNG, JPEG, TIFF, DPX or EXR).")
    var image: String

    @Flag(help: "Print JSON on stdout instead of one line per face.")
    var json = false

    @Option(help: "Colour space of EXR pixels: linear_rec709, acescg, aces2065_1 or srgb.")
    var colorspace: String = "linear_rec709"

    func run() throws {
        let space = try FaceInput.parseColorSpace(colorspace)
        let loaded = try FaceInput.loadImage(URL(fileURLWithPath: image), exrColorSpace: space)
        let finder = try FaceFinder()
        let faces = try finder.find(loaded.image).map { $0.shifted(by: loaded.origin) }
        if json {
            let doc = DetectionReport(image: image, width: loaded.image.width, height: loaded.image.height,
                                      faces: faces.map(DetectionReport.Face.init))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(doc), as: UTF8.self))
        } else {
            print("\(image): \(loaded.image.width)x\(loaded.image.height), \(faces.count) face(s)")
            for (i, f) in faces.enumerated() {
                let b = f.box
                print(String(format: "face %d: box %.1f %.1f %.1f %.1f score %.4f presence %.3f", i, b.x1, b.y1, b.x2, b.y2,
                             f.score, f.presence))
            }
        }
    }
}

/// The stable JSON of `plateswap detect --json`.
struct DetectionReport: Codable {
    struct Face: Codable {
        var box: [Float]
        var score: Float
        var points5: [[Float]]
        var landmarks: [[Float]]
        var presence: Float
        init(_ f: DetectedFace) {
            box = f.box.array
            score = f.score
            points5 = f.points5.map { [$0.x, $0.y] }
            landmarks = f.landmarks.map { [$0.x, $0.y, $0.z] }
            presence = f.presence
        }
    }
    var image: String
    var width: Int
    var height: Int
    var faces: [Face]
}
