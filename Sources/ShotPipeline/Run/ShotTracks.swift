import FaceAlign
import Foundation
import Imaging
import Neural
import PlateIO
import Support

/// A shot's tracks, ready for any frame in any order: made by one throwing initialiser, which
/// reads tracks.json when it is fresh, else tracks the plate with FaceAlign's `ShotTracker` and
/// writes it. Never stale: tracks.json is reused only when its `source` matches the plate and the
/// tracking settings as they are now; otherwise the whole shot is tracked again (smoothing and
/// track ids depend on every frame, so re-tracking only the changed frames would not give the
/// tracks a full run gives) and a warning says why. Issue 16, item 2.
public final class ShotTracks: FaceProvider {
    /// Names the detector, landmarker and tracker; change it when tracking itself changes, so
    /// tracks made by the old code are made again.
    /// 2: FaceMesh's ROI from MediaPipe's BlazeFace detector around each face (issue 15).
    static let tracker = "mtcnn+facemesh-468/2"

    public let document: TracksDocument
    /// Whether this shot was tracked now (false: a fresh tracks.json was reused).
    public let trackedNow: Bool
    public let tracksDigest: String
    /// Frames tracking could not read (and that have not changed since): never "no face".
    private let unread: Set<Int>
    private let faceType: FaceType
    private let selection: FaceSelection
    private let minSize: Float
    /// Whether tracks.json's `alignment` was compared with this run's crop (warned about once).
    private var alignmentChecked = false

    /// The tracks of `frames` of the plate (all of them by default): tracks.json when it is
    /// fresh, else tracked now and written atomically; `force` tracks again in any case.
    public init(shot: ShotConfig, plate: PlateSequence, frames: [Int]? = nil, force: Bool = false,
                searchPath: ModelSearchPath = .standard(), stop: StopSignals = .shared) throws {
        let frames = frames ?? plate.frames
        let url = shot.output.tracks
        var reused: TracksDocument?
        if !force, FileManager.default.fileExists(atPath: url.path) {
            let existing: TracksDocument
            do { existing = try TracksDocument.read(from: url) } catch {
                throw PipelineError.configuration("cannot read \(url.path): \(error) (delete it to track the shot again)")
            }
            if let reason = Self.staleReason(existing, now: Self.source(shot: shot, plate: plate, frames: frames)) {
                Log.warning("\(url.path) is out of date: \(reason); tracking the shot again")
            } else {
                reused = existing
            }
        }
        if let reused {
            document = reused
        } else {
            document = try Self.track(shot: shot, plate: plate, frames: frames, searchPath: searchPath, stop: stop)
            AtomicFile.removeTemporaries(beside: url)
            try AtomicFile.write(try document.encoded(), to: url)
        }
        trackedNow = reused == nil
        tracksDigest = try SHA256.hex(fileAt: url)
        unread = document.unreadFrames
        (faceType, selection, minSize) = (shot.face.type, shot.face.select, Float(shot.face.minSize))
    }

    /// Tracks the plate (FaceAlign's `ShotTracker`): each frame read in the plate's space and
    /// encoded for the detector. A signal stops it between frames without writing anything.
    static func track(shot: ShotConfig, plate: PlateSequence, frames: [Int], searchPath: ModelSearchPath,
                      stop: StopSignals) throws -> TracksDocument {
        let tracker = ShotTracker(finder: try FaceFinder(searchPath: searchPath),
                                  smoothing: OneEuroParameters(minCutoff: shot.face.smoothingMinCutoff, beta: shot.face.smoothingBeta))
        let encoding = plate.encoding
        let progress = Progress("\(shot.shot) tracking", total: frames.count)
        OpenJDMessages.status("tracking \(frames.count) frame(s)")
        var document = try tracker.track(
            frames: frames, frameRate: plate.frameRate, plate: shot.plate.path.path, settings: settings(shot: shot, plate: plate),
            file: { plate.file(frame: $0) },
            read: { frame in
                let plateFrame = try plate.read(frame: frame)
                return .init(image: encoding.encode(plateFrame.image), origin: SIMD2(Float(plateFrame.origin.x), Float(plateFrame.origin.y)))
            },
            // Unreadable is not "no face": the frame is marked, and the swap step reports it.
            unreadable: { frame, error in Log.warning("tracking frame \(frame): \((error as? PipelineError)?.reason ?? "\(error)")") },
            before: { frame, done in
                try stop.check("while tracking, before frame \(frame) (\(done) of \(frames.count) tracked): "
                    + "\(shot.output.tracks.lastPathComponent) is made only from the whole shot, so a rerun tracks again")
            },
            after: { state, faces in progress.advance(detail: "frame \(state.frame), \(state.tracked ? "\(faces) face(s)" : "unreadable")") })
        document.addAlignment(.init(size: SwapperLoader.cropSize(shot), faceType: shot.face.type))
        return document
    }

    public func faces(frame: Int, plate: ImageBuffer, origin: (x: Int, y: Int), cropSize: Int) throws -> [SwapFace] {
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
        guard document.frames.contains(where: { $0.frame == frame }) else {
            throw PipelineError.frame(frame, "tracks.json has no entry for this frame (delete it to track the shot again)")
        }
        guard let (face, track) = document.selectedFace(frame: frame, selection: selection, minSize: minSize) else { return [] }
        // Landmarks are absolute, integer-centred plate pixels; the buffer starts at `origin`.
        let local = face.landmarks.map { $0 - SIMD3(Float(origin.x), Float(origin.y), 0) }
        let integerCentred = FaceTemplate(faceType).alignment(landmarks: local, size: cropSize)
        let mask = AlignedFace.mask(landmarks: local, matrix: integerCentred, size: cropSize)
        let scale = Float(integerCentred.uniformScale)
        let cropLandmarks = local.map { p -> SIMD3<Float> in
            let q = integerCentred.apply(SIMD2(Double(p.x), Double(p.y)))
            return SIMD3(Float(q.x), Float(q.y), p.z * scale)
        }
        return [SwapFace(plateToCrop: Imaging.AffineTransform.fromIntegerCentreConvention(integerCentred), mask: mask,
                         trackID: track, cropLandmarks: cropLandmarks)]
    }

    public func headPose(frame: Int) -> HeadPose? {
        guard let (face, _) = document.selectedFace(frame: frame, selection: selection, minSize: minSize) else { return nil }
        return HeadPose(landmarks: face.landmarks.map { [$0.x, $0.y, $0.z] })
    }

    /// The plate's frames and the settings as they are now (every frame marked tracked).
    public static func source(shot: ShotConfig, plate: PlateSequence, frames: [Int]) -> TracksSource {
        TracksSource(plate: shot.plate.path.path, settings: settings(shot: shot, plate: plate),
                     frames: frames.map { TracksSource.Frame(frame: $0, file: plate.file(frame: $0)) })
    }

    /// Everything that changes the tracks besides the pixels: which image is read, how it is
    /// encoded for the detector, the smoothing and the rate it runs at.
    static func settings(shot: ShotConfig, plate: PlateSequence) -> [String: String] {
        ["tracker": tracker,
         // The space the plate is read in (declared, or found from its tags), as ConfigHash names it.
         "plate.colorspace": plate.colorSpace.builtIn?.rawValue ?? "\(plate.colorSpace.name) in \(plate.colorSpace.config?.path ?? "")",
         "plate.part": shot.plate.part ?? "0",
         "plate.layer": shot.plate.layer,
         "frame_rate": "\(plate.frameRate)",
         "face.smoothing": "min_cutoff \(shot.face.smoothingMinCutoff), beta \(shot.face.smoothingBeta)"]
    }

    /// Why `document` does not describe the shot as it is `now`, or nil when it does.
    public static func staleReason(_ document: TracksDocument, now: TracksSource) -> String? {
        guard document.version <= TracksDocument.currentVersion else {
            return "it was written by a newer plateswap (tracks.json version \(document.version))"
        }
        guard let then = document.source else {
            return "it does not record the plate frames and settings it was made from (tracks.json version \(document.version), written by an older plateswap)"
        }
        if then.plate != now.plate { return "the plate was \(then.plate), now \(now.plate)" }
        let changed = Set(then.settings.keys).union(now.settings.keys).sorted().filter { then.settings[$0] != now.settings[$0] }
        if let key = changed.first {
            return "tracking setting \(key) was \(then.settings[key] ?? "unset"), now \(now.settings[key] ?? "unset")"
        }
        return framesChange(then: then.frames, now: now.frames)
    }

    /// The plate frames that were added, removed, appeared or changed since tracking, or nil.
    static func framesChange(then: [TracksSource.Frame], now: [TracksSource.Frame]) -> String? {
        let old = Dictionary(then.map { ($0.frame, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Set(now.map(\.frame))
        var parts: [String] = []
        let added = now.map(\.frame).filter { old[$0] == nil }
        let removed = then.map(\.frame).filter { !new.contains($0) }
        let appeared = now.filter { old[$0.frame]?.size == nil && old[$0.frame] != nil && $0.size != nil }.map(\.frame)
        let vanished = now.filter { old[$0.frame]?.size != nil && $0.size == nil }.map(\.frame)
        let modified = now.filter { frame in
            guard let before = old[frame.frame], before.size != nil, frame.size != nil else { return false }
            return !before.sameFile(as: frame)
        }.map(\.frame)
        func say(_ frames: [Int], _ what: String) {
            guard !frames.isEmpty else { return }
            parts.append("\(frames.count == 1 ? "frame" : "frames") \(FrameRange.compact(frames)) \(what)")
        }
        say(added, "added to the shot")
        say(removed, "no longer in the shot")
        say(appeared, "missing at tracking time, on disk now")
        say(vanished, "gone from disk")
        say(modified, "replaced or modified (size or modification time differ)")
        return parts.isEmpty ? nil : "plate " + parts.joined(separator: "; ")
    }
}
