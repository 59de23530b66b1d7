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
            masks) and DIR/faceset.json (per face: source and frame, face index, track id, box, score, \
            5 points, 468 landmarks in source pixels, the 2x3 source->crop matrix, size, face type). \
            Scene-linear EXR plates are converted to sRGB for the crops. Frames without faces, or that \
            cannot be read, are listed in faceset.json and on stderr; they do not stop the run.
            """)

    @Argument(help: "A sequence pattern (plate.####.exr, %04d, $F4, @), a movie, a folder of photos, or one image.")
    var input: String

    @Option(help: "Output face set directory.")
    var out: String

    @Option(name: .customLong("face-type"), help: "whole_face (default), full or head.")
    var faceType: String = "whole_face"

    @Option(help: "Crop size in pixels (256 to 1024).")
    var size: Int = 512

    @Option(help: "Use every Nth frame or photo.")
    var every: Int = 1

    @Option(help: "Colour space of EXR pixels: linear_rec709, acescg, aces2065_1 or srgb.")
    var colorspace: String = "linear_rec709"

    func validate() throws {
        guard FaceType(rawValue: faceType) != nil else {
            throw ValidationError("--face-type must be one of \(FaceType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (256...1024).contains(size) else { throw ValidationError("--size must be between 256 and 1024, got \(size)") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1, got \(every)") }
    }

    func run() throws {
        let type = FaceType(rawValue: faceType)!
        let space = try FaceInput.parseColorSpace(colorspace)
        let source = try FaceInput.open(input)
        let items = Swift.stride(from: 0, to: source.count, by: every).map { $0 }
        let outDir = URL(fileURLWithPath: out)
        for sub in ["faces", "masks"] {
            try FileManager.default.createDirectory(at: outDir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let finder = try FaceFinder()
        var doc = FaceSetDocument(faceType: type, size: size)
        var tracker = FaceTracker(settings: TrackerSettings(maxMisses: 2 * every))
        let progress = Progress("extract", total: items.count, unit: source.isPhotos ? "photos" : "frames")
        for index in items {
            let label = source.label(index)
            let frame = source.frame(index)
            do {
                let loaded = try source.load(index, exrColorSpace: space)
                let faces = try finder.find(loaded.image)
                let ids: [Int]? = source.isPhotos ? nil : tracker.update(frame: frame ?? index, faces: faces)
                if faces.isEmpty {
                    doc.framesWithoutFaces.append(.init(source: label, frame: frame, reason: "no face found"))
                    Log.info("no face in \(label)" + (frame.map { " frame \($0)" } ?? ""))
                }
                for (k, face) in faces.enumerated() {
                    try writeFace(face, index: k, track: ids?[k], loaded: loaded, label: label, frame: frame,
                                  type: type, outDir: outDir, doc: &doc)
                }
            } catch {
                doc.framesWithoutFaces.append(.init(source: label, frame: frame, reason: "\(error)"))
                Log.warning("skipped \(label)" + (frame.map { " frame \($0)" } ?? "") + ": \(error)")
            }
            progress.advance(detail: "\(doc.faces.count) faces")
        }
        try AtomicFile.write(try doc.encoded(), to: outDir.appendingPathComponent("faceset.json"))
        Log.info("wrote \(doc.faces.count) faces to \(out) (\(doc.framesWithoutFaces.count) without faces)")
    }

    private func writeFace(_ face: DetectedFace, index: Int, track: Int?, loaded: FaceInput.Loaded, label: String, frame: Int?,
                           type: FaceType, outDir: URL, doc: inout FaceSetDocument) throws
    {
        // Matrix in the source's pixel space; the crop is cut from the loaded (data window) image.
        let plateFace = face.shifted(by: loaded.origin)
        let matrix = FaceTemplate(type).alignment(landmarks: plateFace.landmarks, size: size)
        let local = matrix.concatenating(after: .translation(Double(loaded.origin.x), Double(loaded.origin.y)))
        let aligned = AlignedFace(image: loaded.image, landmarks: face.landmarks, matrix: local, faceType: type, size: size)
        let name = String(format: "%06d.png", doc.faces.count)
        try PNGFile.write(aligned.crop, bitDepth: 16, to: outDir.appendingPathComponent("faces/\(name)"))
        let m = aligned.mask.planes[0]
        try PNGFile.write(ImageBuffer(width: size, height: size, channels: ["R", "G", "B"], planes: [m, m, m]), bitDepth: 16,
                          to: outDir.appendingPathComponent("masks/\(name)"))
        doc.faces.append(.init(file: "faces/\(name)", mask: "masks/\(name)", source: label, frame: frame, faceIndex: index,
                               track: track, face: plateFace, matrix: matrix.rows, size: size, faceType: type))
    }
}

/// Images for face work: one file, a folder of photos, a frame sequence or a movie, loaded as
/// display-referred sRGB R, G, B.
enum FaceInput {
    struct Loaded {
        var image: ImageBuffer
        /// Pixel-space position of the image's top-left pixel (EXR data window minimum).
        var origin: SIMD2<Float>
    }

    enum Source {
        case files([URL])
        case sequence(SequencePattern, [Int])
        case movie(MovieReader, Int)

        var count: Int {
            switch self {
            case .files(let urls): return urls.count
            case .sequence(_, let frames): return frames.count
            case .movie(_, let n): return n
            }
        }

        var isPhotos: Bool { if case .files = self { return true } else { return false } }

        func label(_ i: Int) -> String {
            switch self {
            case .files(let urls): return urls[i].path
            case .sequence(let p, _): return p.pattern
            case .movie(let r, _): return r.file
            }
        }

        func frame(_ i: Int) -> Int? {
            switch self {
            case .files: return nil
            case .sequence(_, let frames): return frames[i]
            case .movie: return i
            }
        }

        func load(_ i: Int, exrColorSpace: ColorSpace) throws -> Loaded {
            switch self {
            case .files(let urls): return try FaceInput.loadImage(urls[i], exrColorSpace: exrColorSpace)
            case .sequence(let p, let frames):
                let url = p.url(frame: frames[i])
                if url.pathExtension.lowercased() == "exr" { return try FaceInput.loadImage(url, exrColorSpace: exrColorSpace) }
                return Loaded(image: try SequenceReader(pattern: p).read(frame: frames[i]), origin: .zero)
            case .movie(let r, _):
                return Loaded(image: try r.read(frame: i), origin: .zero)
            }
        }
    }

    static let photoExtensions: Set<String> = ["png", "jpg", "jpeg", "exr", "tif", "tiff", "dpx"]

    static func parseColorSpace(_ text: String) throws -> ColorSpace {
        guard let space = ColorSpace(rawValue: text) else {
            throw ValidationError("unknown colour space '\(text)'; use one of \(ColorSpace.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return space
    }

    static func open(_ input: String) throws -> Source {
        let url = URL(fileURLWithPath: input)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            let urls = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                .filter { photoExtensions.contains($0.pathExtension.lowercased()) }
                .sorted { $0.path < $1.path }
            guard !urls.isEmpty else { throw ValidationError("\(input): no images (\(photoExtensions.sorted().joined(separator: ", ")))") }
            return .files(urls)
        }
        if SequencePattern.hasFrameToken(input) {
            let pattern = try SequencePattern(input)
            let frames = try pattern.framesOnDisk()
            guard !frames.isEmpty else { throw ValidationError("\(input): no frames on disk") }
            return .sequence(pattern, frames)
        }
        guard FileManager.default.fileExists(atPath: input) else { throw ValidationError("\(input): no such file") }
        if photoExtensions.contains(url.pathExtension.lowercased()) { return .files([url]) }
        let reader = try MovieReader(url: url)
        return .movie(reader, reader.info.frameCount)
    }

    /// One image as display sRGB R, G, B; EXR pixels are converted from `exrColorSpace`.
    static func loadImage(_ url: URL, exrColorSpace: ColorSpace) throws -> Loaded {
        switch url.pathExtension.lowercased() {
        case "exr":
            let (image, header) = try ExrImage.read(url)
            var rgb = try rgbChannels(image, url)
            rgb.convertColor(from: exrColorSpace, to: .srgb)
            return Loaded(image: rgb, origin: SIMD2(Float(header.dataWindow.xMin), Float(header.dataWindow.yMin)))
        case "png":
            return Loaded(image: try rgbChannels(try PNGFile.read(url), url), origin: .zero)
        default:
            let reader = try MovieReader(url: url)
            return Loaded(image: try rgbChannels(try reader.read(frame: 0), url), origin: .zero)
        }
    }

    static func rgbChannels(_ image: ImageBuffer, _ url: URL) throws -> ImageBuffer {
        if ["R", "G", "B"].allSatisfy({ image.channelIndex($0) != nil }) { return image.selecting(["R", "G", "B"]) }
        if let y = image.channelIndex("Y") { return ImageBuffer(width: image.width, height: image.height, channels: ["R", "G", "B"],
                                                                planes: Array(repeating: image.planes[y], count: 3)) }
        throw ValidationError("\(url.path): no R, G, B channels (has \(image.channelNames.joined(separator: ", ")))")
    }
}
