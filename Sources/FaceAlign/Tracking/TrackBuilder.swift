/// Builds `tracks.json` from the faces found on every frame of a known range: associates them
/// into tracks, fills the frames a track missed by interpolation, and smooths each track's
/// landmarks forward and backward (see `smoothForwardBackward`).
public func buildTracks(detections: [(frame: Int, faces: [DetectedFace])], frameRate: Double,
                        smoothing: OneEuroParameters, settings: TrackerSettings = TrackerSettings()) -> TracksDocument
{
    var tracker = FaceTracker(settings: settings)
    var perTrack: [Int: [(frame: Int, face: DetectedFace)]] = [:]
    for entry in detections {
        let ids = tracker.update(frame: entry.frame, faces: entry.faces)
        for (id, face) in zip(ids, entry.faces) { perTrack[id, default: []].append((entry.frame, face)) }
    }
    var byFrame: [Int: [TracksDocument.Face]] = [:]
    var tracks: [TracksDocument.Track] = []
    for id in perTrack.keys.sorted() {
        let samples = fillGaps(perTrack[id]!)
        let hasMesh = samples.allSatisfy { $0.face.landmarks.count == FaceMeshTopology.pointCount }
        var smoothed: [[Double]]? = nil
        if hasMesh {
            let series = samples.map { s in s.face.landmarks.flatMap { [Double($0.x), Double($0.y), Double($0.z)] } }
            smoothed = smoothForwardBackward(series, times: samples.map { Double($0.frame) / frameRate }, parameters: smoothing)
        }
        for (i, s) in samples.enumerated() {
            let marks: [[Float]]
            if let sm = smoothed?[i] {
                marks = stride(from: 0, to: sm.count, by: 3).map { [Float(sm[$0]), Float(sm[$0 + 1]), Float(sm[$0 + 2])] }
            } else {
                marks = s.face.landmarks.map { [$0.x, $0.y, $0.z] }
            }
            byFrame[s.frame, default: []].append(TracksDocument.Face(
                track: id, box: s.face.box.array, score: s.face.score, points5: s.face.points5.map { [$0.x, $0.y] },
                landmarks: marks, presence: s.face.presence, interpolated: s.interpolated))
        }
        tracks.append(TracksDocument.Track(id: id, firstFrame: samples.first!.frame, lastFrame: samples.last!.frame,
                                           detections: perTrack[id]!.count))
    }
    let frames = detections.map { entry in
        TracksDocument.Frame(frame: entry.frame, faces: (byFrame[entry.frame] ?? []).sorted { $0.track < $1.track })
    }
    return TracksDocument(frameRate: frameRate, smoothing: smoothing, tracks: tracks, frames: frames)
}

/// Inserts linearly interpolated faces for the frames between two detections of one track.
func fillGaps(_ samples: [(frame: Int, face: DetectedFace)]) -> [(frame: Int, face: DetectedFace, interpolated: Bool)] {
    var out: [(frame: Int, face: DetectedFace, interpolated: Bool)] = []
    for (i, s) in samples.enumerated() {
        if i > 0 {
            let p = samples[i - 1]
            for f in stride(from: p.frame + 1, to: s.frame, by: 1) {
                let w = Float(f - p.frame) / Float(s.frame - p.frame)
                out.append((f, interpolate(p.face, s.face, w), true))
            }
        }
        out.append((s.frame, s.face, false))
    }
    return out
}

func interpolate(_ a: DetectedFace, _ b: DetectedFace, _ w: Float) -> DetectedFace {
    func mix(_ x: Float, _ y: Float) -> Float { x + (y - x) * w }
    let box = FaceBox(x1: mix(a.box.x1, b.box.x1), y1: mix(a.box.y1, b.box.y1), x2: mix(a.box.x2, b.box.x2), y2: mix(a.box.y2, b.box.y2))
    let points = a.points5.count == b.points5.count ? zip(a.points5, b.points5).map { $0 + ($1 - $0) * w } : a.points5
    let marks = a.landmarks.count == b.landmarks.count ? zip(a.landmarks, b.landmarks).map { $0 + ($1 - $0) * w } : a.landmarks
    return DetectedFace(box: box, score: min(a.score, b.score), points5: points, landmarks: marks, presence: min(a.presence, b.presence))
}
