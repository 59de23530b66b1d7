import ArgumentParser
import FaceAlign
import Foundation
import Imaging
import ShotPipeline
import Support

/// `plateswap detect IMAGE [--json]`: faces, scores, 5 points and 468 landmarks of one image.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find faces in an image (PNG, JPEG, TIFF, DPX, EXR): boxes, scores, 5 points and 468 landmarks.",
        discussion: """
            Coordinates are image pixels with pixel centres at integer coordinates (EXR: the file's pixel \
            space, data window offset included). Faces are sorted by box area, largest first. With --json \
            stdout holds one JSON object: {"faces": [{"box": [x1, y1, x2, y2], "landmarks": [[x, y, z] x468], \
            "points5": [[x, y] x5], "presence", "score"}], "height", "image", "width"} (keys sorted). \
            Every face the detector finds is listed; a presence under 0.5 means the mesh did not lock on \
            (extract and run leave such faces out). Exit code 0 also when no face is found, 1 when the image \
            cannot be read.
            """)

    @Argument(help: "The image to search (PNG, JPEG, TIFF, DPX or EXR).")
    var image: String

    @Flag(help: "Print JSON on stdout instead of one line per face.")
    var json = false

    @Option(help: "Colour space of the pixels: an OCIO name or alias (any case) or linear_rec709, acescg, aces2065_1, srgb. Default: the file's own tags.", transform: ColorOptions.parse)
    var colorspace: NamedColorSpace?

    func run() throws {
        let names = try ColorOptions.names()
        // Whatever stops the search (an unreadable image, a missing model) is a failure: exit 1.
        let report = try PhaseError.withStatus(ExitStatus.failed) {
            // Every face MTCNN finds is reported; `presence` says whether the mesh locked on (extract
            // and run drop faces below 0.5).
            let finder = try FaceFinder()
            finder.minPresence = 0
            return try DetectionReport(file: image, finder: finder, colorspace: colorspace, names: names)
        }
        if json {
            print(try report.json())
        } else {
            print("\(image): \(report.width)x\(report.height), \(report.faces.count) face(s)")
            for (i, f) in report.faces.enumerated() {
                let b = f.box
                print(String(format: "face %d: box %.1f %.1f %.1f %.1f score %.4f presence %.3f", i, b[0], b[1], b[2], b[3],
                             f.score, f.presence))
            }
        }
    }
}
