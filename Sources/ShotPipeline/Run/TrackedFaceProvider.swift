import Compositor
import FaceAlign
import Foundation
import Imaging
import Neural
import PlateIO
import Support

/// Faces from tracks.json (FaceAlign's `TracksDocument`), made by tracking the plate first (MTCNN +
/// FaceMesh on every frame, tracks smoothed) when it is missing or does not match the plate and
/// settings as they are now (`ShotTracks`).
public final class TrackedFaceProvider: FaceProvider {
    private var document: TracksDocument?
    /// Frames tracking could not read (and that have not changed since): never "no face".
    private var unread: Set<Int> = []
    private var faceType: FaceType = .wholeFace
    private var selection: FaceSelection = .largest
    private var minSize: Float = 0
    /// Whether tracks.json's `alignment` was compared with this run's crop (warned about once).
    private var alignmentChecked = false
    private let searchPath: ModelSearchPath
    private let stop: StopSignals

    public init(searchPath: ModelSearchPath = .standard(), stop: StopSignals = .shared) {
        self.searchPath = searchPath
        self.stop = stop
    }

    public func prepare(shot: ShotConfig, plate: PlateSequence, frames: [Int]) throws -> String {
        faceType = shot.face.type
        minSize = Float(shot.face.minSize)
        selection = shot.face.select
        let prepared = try ShotTracks.prepare(shot: shot, plate: plate, frames: frames, searchPath: searchPath, stop: stop)
        document = prepared.document
        unread = Set(prepared.document.source?.frames.filter { !$0.tracked }.map(\.frame) ?? [])
        return try SHA256.hex(fileAt: shot.output.tracks)
    }

    /// Runs the detector and landmarker over the plate and builds the smoothed tracks, with the
    /// `source` they were made from: each frame's file as it was just before it was read. A signal
    /// stops it between frames without writing anything (the tracks are smoothed over the whole shot).
    static func track(shot: ShotConfig, plate: PlateSequence, frames: [Int], searchPath: ModelSearchPath,
                      stop: StopSignals = .shared) throws -> TracksDocument {
        let finder = try FaceFinder(searchPath: searchPath)
        let encoding = plate.encoding
        let progress = Progress("\(shot.shot) tracking", total: frames.count)
        OpenJDMessages.status("tracking \(frames.count) frame(s)")
        var detections: [(frame: Int, faces: [DetectedFace])] = []
        var states: [TracksSource.Frame] = []
        for frame in frames {
            try stop.check("while tracking, before frame \(frame) (\(detections.count) of \(frames.count) tracked): "
                + "\(shot.output.tracks.lastPathComponent) is made only from the whole shot, so a rerun tracks again")
            var faces: [DetectedFace] = []
            var state = ShotTracks.fileState(frame: frame, plate: plate)
            do {
                let plateFrame = try plate.read(frame: frame)
                // Landmarks in absolute plate pixels (the data window may not start at 0).
                let origin = SIMD2(Float(plateFrame.origin.x), Float(plateFrame.origin.y))
                faces = try finder.find(encoding.encode(plateFrame.image)).map { $0.shifted(by: origin) }
            } catch {
                // Unreadable is not "no face": the frame is marked, and the swap step reports it.
                state.tracked = false
                Log.warning("tracking frame \(frame): \((error as? PipelineError)?.reason ?? "\(error)")")
            }
            detections.append((frame, faces))
            states.append(state)
            progress.advance(detail: "frame \(frame), \(state.tracked ? "\(faces.count) face(s)" : "unreadable")")
        }
        let smoothing = OneEuroParameters(minCutoff: shot.face.smoothingMinCutoff, beta: shot.face.smoothingBeta)
        var document = buildTracks(detections: detections, frameRate: plate.frameRate, smoothing: smoothing)
        document.addAlignment(.init(size: SwapperLoader.cropSize(shot), faceType: shot.face.type))
        document.source = TracksSource(plate: shot.plate.path.path, settings: ShotTracks.settings(shot: shot, plate: plate),
                                       frames: states)
        return document
    }

    public func faces(frame: Int, plate: ImageBuffer, origin: (x: Int, y: Int), cropSize: Int) throws -> [SwapFace] {
        guard let document else { throw PipelineError.configuration("faces requested before prepare") }
        if unread.contains(frame) {
            throw PipelineError.frame(frame, "tracking could not read this plate frame, and it has not changed since (`plateswap track --force` tracks the shot again)")
        }
        if !alignmentChecked {
            alignmentChecked = true
            let run = TracksDocument.Alignment(size: cropSize, faceType: faceType)
            if let made = document.alignment, made != run {
                Log.warning("tracks.json's matrices are for \(made.size) px \(made.faceType.rawValue) crops, this run cuts \(run.size) px \(run.faceType.rawValue) ones (the swap computes its own; `plateswap track --force` writes matching ones)")
            }
        }
        guard let entry = document.frames.first(where: { $0.frame == frame }) else {
            throw PipelineError.frame(frame, "tracks.json has no entry for this frame (delete it to track the shot again)")
        }
        guard let (face, track) = selected(entry) else { return [] }
        // Landmarks are absolute, integer-centred plate pixels; the buffer starts at `origin`.
        let local = face.landmarks.map { $0 - SIMD3(Float(origin.x), Float(origin.y), 0) }
        let integerCentred = FaceTemplate(faceType).alignment(landmarks: local, size: cropSize)
        let mask = AlignedFace.mask(landmarks: local, matrix: integerCentred, size: cropSize)
        return [SwapFace(plateToCrop: Imaging.AffineTransform.fromIntegerCentreConvention(integerCentred), mask: mask,
                         trackID: track)]
    }

    /// The face of a tracks.json frame that `face.select` and `face.min_size` choose, with its
    /// track, when it has the 468 landmarks a crop needs.
    private func selected(_ entry: TracksDocument.Frame) -> (face: DetectedFace, track: Int)? {
        let candidates = entry.faces.filter { $0.box.count == 4 && min($0.box[2] - $0.box[0], $0.box[3] - $0.box[1]) >= minSize }
        let detected = candidates.map(\.detectedFace)
        guard let index = selection.select(detected, trackIDs: candidates.map(\.track)),
              detected[index].landmarks.count >= FaceMeshTopology.pointCount else { return nil }
        return (detected[index], candidates[index].track)
    }

    public func headPose(frame: Int) -> HeadPose? {
        guard let entry = document?.frames.first(where: { $0.frame == frame }), let (face, _) = selected(entry) else { return nil }
        return HeadPose(landmarks: face.landmarks.map { [$0.x, $0.y, $0.z] })
    }
}
