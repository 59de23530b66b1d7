import ArgumentParser
import FaceAlign
import Foundation
import Imaging
import PlateIO
import ShotPipeline
import Support

/// `plateswap extract INPUT --out DIR`: the aligned face set of a plate, movie or photo folder.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Detect, align and crop every face of a sequence, movie or folder of photos into a face set.",
        discussion: """
            Writes DIR/faces/NNNNNN.png (aligned crops, 16-bit sRGB PNG), DIR/masks/NNNNNN.png (face-oval \
            masks, 8-bit) and DIR/faceset.json (see README.md). Scene-linear EXR plates are converted to \
            sRGB for the crops, as the shot pipeline does. Frames without faces, or that cannot be read, \
            are listed in faceset.json and on stderr; they do not stop the run. Progress goes to stderr. \
            SIGINT / SIGTERM saves the faces so far as a face set and exits 130 / 143. \
            Exit codes: 0 done (also when some frames had no face), 1 no face at all or a write failed, \
            2 bad arguments or input.
            """)

    @Argument(help: "A sequence pattern (plate.####.exr, %04d, $F4, @), a movie, a folder of photos, or one image.")
    var input: String

    @Option(help: "Output face set directory (created; an earlier set there is replaced).")
    var out: String

    @Option(name: .customLong("face-type"), help: "The crop's framing.")
    var faceType: FaceType = .wholeFace

    @Option(help: "Crop size in pixels, a multiple of 8 from 256 to 1024.")
    var size: Int = 512

    @Option(help: "Use every Nth frame or photo.")
    var every: Int = 1

    @Option(help: "Frames of a sequence or movie (movie frames count from 0): 1001-1100, 1001-1100x2, 0,10,20-30.")
    var frames: String?

    @Option(help: "Keep only one face per frame: largest, track:N or point:[x,y] (source pixels). Default: every face.")
    var select: String?

    @Option(name: .customLong("min-face"), help: "Smallest face to look for, in source pixels (larger is faster).")
    var minFace: Double = 20

    @Option(help: "Colour space of the pixels: an OCIO name or alias (any case) or linear_rec709, acescg, aces2065_1, srgb. Default: each file's own tags.", transform: ColorOptions.parse)
    var colorspace: NamedColorSpace?

    func run() throws {
        // Whatever stops it before the first frame (options, input, output folder, models) is bad
        // input (exit 2); whatever stops it later is a failure (exit 1).
        let (source, extractor) = try PhaseError.withStatus(ExitStatus.badInput) {
            var options = ExtractOptions()
            options.faceType = faceType
            options.size = size
            options.minFace = minFace
            options.select = try select.map { try FaceSelection(parsing: $0) }
            try options.validate()
            let range = try frames.map { try FrameRange(parsing: $0) }
            let source = try FaceImageSource(path: input, colorspace: colorspace, names: try ColorOptions.names(), frames: range, every: every)
            try InputGuard.checkExtract(source, into: URL(fileURLWithPath: out))
            return (source, try FaceSetExtractor(options: options))
        }
        let doc = try PhaseError.withStatus(ExitStatus.failed) { try extractor.run(source, into: URL(fileURLWithPath: out)) }
        Log.info("wrote \(doc.faces.count) faces of \(source.items.count) \(source.isPhotos ? "images" : "frames") to \(out) "
                 + "(\(doc.framesWithoutFaces.count) without a face)")
        if doc.faces.isEmpty { throw ExitCode(ExitStatus.failed) }
    }
}
