/// Frame-to-frame association settings.
public struct TrackerSettings: Sendable {
    /// A track that found no face for more than this many consecutive frames ends.
    public var maxMisses: Int = 2
    /// A pair is a candidate when the boxes overlap at least this much...
    public var minIoU: Float = 0.2
    /// ...or the mean landmark distance is under this many inter-ocular distances.
    public var maxLandmarkDistance: Float = 0.6

    public init(maxMisses: Int = 2, minIoU: Float = 0.2, maxLandmarkDistance: Float = 0.6) {
        self.maxMisses = maxMisses
        self.minIoU = minIoU
        self.maxLandmarkDistance = maxLandmarkDistance
    }
}

/// Gives each face of successive frames a track id: greedy matching on box IoU plus landmark
/// distance; tracks survive `maxMisses` frames without a match, then end.
public struct FaceTracker: Sendable {
    struct Track {
        let id: Int
        var last: DetectedFace
        var lastFrame: Int
    }

    public let settings: TrackerSettings
    private var active: [Track] = []
    private var nextID = 0

    public init(settings: TrackerSettings = TrackerSettings()) { self.settings = settings }

    /// Track ids for `faces` (same order) found on `frame`; frames must come in increasing order.
    public mutating func update(frame: Int, faces: [DetectedFace]) -> [Int] {
        active.removeAll { frame - $0.lastFrame > settings.maxMisses + 1 }
        var pairs: [(affinity: Float, track: Int, face: Int)] = []
        for (ti, track) in active.enumerated() {
            for (fi, face) in faces.enumerated() {
                let iou = track.last.box.iou(face.box)
                let distance = Self.landmarkDistance(track.last, face)
                guard iou >= settings.minIoU || distance <= settings.maxLandmarkDistance else { continue }
                pairs.append((iou + max(0, 1 - distance), ti, fi))
            }
        }
        // Best affinity first; ties broken by order so results are deterministic.
        pairs.sort { ($0.affinity, -$0.track, -$0.face) > ($1.affinity, -$1.track, -$1.face) }
        var ids = [Int?](repeating: nil, count: faces.count)
        var trackUsed = Set<Int>()
        for pair in pairs where ids[pair.face] == nil && !trackUsed.contains(pair.track) {
            ids[pair.face] = active[pair.track].id
            trackUsed.insert(pair.track)
            active[pair.track].last = faces[pair.face]
            active[pair.track].lastFrame = frame
        }
        for fi in faces.indices where ids[fi] == nil {
            ids[fi] = nextID
            active.append(Track(id: nextID, last: faces[fi], lastFrame: frame))
            nextID += 1
        }
        return ids.map { $0! }
    }

    /// Mean distance between corresponding landmarks (mesh if both have one, else 5 points, else
    /// box centres), in units of the first face's inter-ocular distance.
    static func landmarkDistance(_ a: DetectedFace, _ b: DetectedFace) -> Float {
        let scale = max(a.interocularDistance, 1)
        if a.landmarks.count == b.landmarks.count, !a.landmarks.isEmpty {
            var sum: Float = 0
            for (p, q) in zip(a.landmarks, b.landmarks) {
                sum += ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot()
            }
            return sum / Float(a.landmarks.count) / scale
        }
        if a.points5.count == 5, b.points5.count == 5 {
            let sum = zip(a.points5, b.points5).reduce(Float(0)) { $0 + (($1.0 - $1.1) * ($1.0 - $1.1)).sum().squareRoot() }
            return sum / 5 / scale
        }
        let d = a.box.center - b.box.center
        return (d * d).sum().squareRoot() / scale
    }
}
