import FaceAlign
import Foundation
import Imaging
import Neural
import PlateIO
import Support

/// Settings of `plateswap extract`.
public struct ExtractOptions: Sendable {
    public var faceType: FaceType = .wholeFace
    /// Crop side in pixels (256 to 1024).
    public var size = 512
    /// Which faces of a frame to keep; nil keeps every face.
    public var select: FaceSelection?
    /// Smallest face MTCNN looks for, in source pixels (its pyramid starts there: larger is faster).
    public var minFace = 20.0
    /// Frames between checkpoints of faceset.json (a killed run keeps what it had written).
    public var checkpointEvery = 25

    public init() {}

    public func validate() throws {
        guard (256...1024).contains(size) else { throw ExtractError.option("--size", "must be between 256 and 1024, got \(size)") }
        guard size % 8 == 0 else { throw ExtractError.option("--size", "must be a multiple of 8 (the codecs work at 1/8), got \(size)") }
        guard minFace >= 12, minFace <= 4096 else { throw ExtractError.option("--min-face", "must be between 12 and 4096 pixels, got \(minFace)") }
    }
}

/// Writes a face set (docs/ARCHITECTURE.md, section 6): aligned crops `faces/NNNNNN.png` (16-bit sRGB PNG),
/// masks `masks/NNNNNN.png` (8-bit, R = G = B = face-oval coverage) and `faceset.json`.
///
/// Faces of sequences and movies are tracked frame to frame (track ids in faceset.json); photos have
/// no track. Frames without a face, or that cannot be read, are listed in `frames_without_faces`.
/// Reading the next image and writing PNGs overlap with detection on the current one.
public final class FaceSetExtractor {
    public let options: ExtractOptions
    private let finder: FaceFinder
    /// Polled before each frame: a signal saves the faces so far as a complete face set and stops.
    public var stop: StopSignals = .shared

    public init(options: ExtractOptions, searchPath: ModelSearchPath = .standard()) throws {
        try options.validate()
        self.options = options
        var settings = MTCNNDetector.Settings()
        settings.minFaceSize = options.minFace
        finder = try FaceFinder(searchPath: searchPath, settings: settings)
    }

    /// Extracts every face of `source` into `directory`; returns the document written as faceset.json.
    @discardableResult
    public func run(_ source: FaceImageSource, into directory: URL, progressLabel: String = "extract") throws -> FaceSetDocument {
        try InputGuard.checkExtract(source, into: directory)
        StaleTemporaries.remove(in: [directory] + ["faces", "masks"].map { directory.appendingPathComponent($0) })
        let fm = FileManager.default
        for sub in ["faces", "masks"] {
            try fm.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let documentURL = directory.appendingPathComponent("faceset.json")
        var doc = FaceSetDocument(faceType: options.faceType, size: options.size)
        for frame in source.missingFrames {
            doc.framesWithoutFaces.append(.init(source: source.items.first?.file ?? "", frame: frame, reason: "missing on disk"))
        }
        var tracker = FaceTracker()
        let writer = FaceWriter(directory: directory)
        let progress = Progress(progressLabel, total: source.items.count, unit: source.isPhotos ? "images" : "frames")
        let reader = ReadAhead(source)

        for (n, item) in source.items.enumerated() {
            if stop.signal != nil {
                try finish(doc, writer: writer, into: directory)
                try stop.check("after \(n) of \(source.items.count) \(source.isPhotos ? "images" : "frames"): "
                    + "\(doc.faces.count) faces saved in \(documentURL.path)")
            }
            let place = item.frame.map { "\(item.file) frame \($0)" } ?? item.file
            do {
                let loaded = try reader.take(n)
                var faces = try finder.find(loaded.image).map { $0.shifted(by: loaded.origin) }
                var tracks: [Int]? = source.isPhotos ? nil : tracker.update(frame: item.frame ?? n, faces: faces)
                if let select = options.select {
                    let chosen = select.select(faces, trackIDs: tracks)
                    faces = chosen.map { [faces[$0]] } ?? []
                    tracks = tracks.map { t in chosen.map { [t[$0]] } ?? [] }
                }
                if faces.isEmpty {
                    doc.framesWithoutFaces.append(.init(source: item.file, frame: item.frame, reason: "no face found"))
                    Log.info("no face in \(place)")
                }
                for (k, face) in faces.enumerated() {
                    let name = String(format: "%06d.png", doc.faces.count)
                    let aligned = align(face, in: loaded)
                    writer.write(aligned.crop, name: name)
                    doc.faces.append(.init(file: "faces/\(name)", mask: "masks/\(name)", source: item.file, frame: item.frame,
                                           faceIndex: k, track: tracks?[k], face: face, matrix: aligned.sourceMatrix.rows,
                                           size: options.size, faceType: options.faceType))
                }
            } catch {
                doc.framesWithoutFaces.append(.init(source: item.file, frame: item.frame, reason: "\(error)"))
                let text = "\(error)"
                Log.warning("skipped " + (text.contains(item.file) ? text : "\(place): \(text)"))
            }
            progress.advance(detail: "\(doc.faces.count) faces")
            if (n + 1) % options.checkpointEvery == 0 {
                try writer.finish()
                try AtomicFile.write(try doc.encoded(), to: documentURL)
            }
        }
        try finish(doc, writer: writer, into: directory)
        return doc
    }

    /// Waits for the crops, writes faceset.json and removes crops of an earlier, longer run.
    private func finish(_ doc: FaceSetDocument, writer: FaceWriter, into directory: URL) throws {
        try writer.finish()
        try AtomicFile.write(try doc.encoded(), to: directory.appendingPathComponent("faceset.json"))
        try removeStaleFiles(in: directory, keeping: doc.faces.count)
    }

    /// The crop in the loaded buffer's coordinates, with the matrix in source pixel space.
    private func align(_ face: DetectedFace, in loaded: FaceImageSource.Loaded) -> (crop: AlignedFace, sourceMatrix: Imaging.AffineTransform) {
        let sourceMatrix = FaceTemplate(options.faceType).alignment(landmarks: face.landmarks, size: options.size)
        let local = face.shifted(by: -loaded.origin)
        let bufferMatrix = sourceMatrix.concatenating(after: .translation(Double(loaded.origin.x), Double(loaded.origin.y)))
        let crop = AlignedFace(image: loaded.pixels, landmarks: local.landmarks, matrix: bufferMatrix,
                               faceType: options.faceType, size: options.size, encoding: loaded.encoding)
        return (crop, sourceMatrix)
    }

    /// Crops of an earlier, longer run in the same folder would be mistaken for part of this set.
    private func removeStaleFiles(in directory: URL, keeping count: Int) throws {
        let fm = FileManager.default
        for sub in ["faces", "masks"] {
            let folder = directory.appendingPathComponent(sub)
            for name in try fm.contentsOfDirectory(atPath: folder.path) {
                guard name.count == 10, name.hasSuffix(".png"), let index = Int(name.prefix(6)), index >= count else { continue }
                try fm.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }
}
