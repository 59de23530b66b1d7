import Foundation

/// What a tracks.json was made from (`source` in the file, version 2 on): the plate, the state of
/// each of its frames when tracking read them, and every setting that changes the tracks. A run
/// compares it with the plate and shot.yaml as they are now and tracks again when they differ, so
/// tracks of a plate that changed are never reused (issue 16).
public struct TracksSource: Codable, Equatable, Sendable {
    /// One plate frame as the file system saw it just before tracking read it.
    public struct Frame: Codable, Equatable, Sendable {
        public var frame: Int
        /// Bytes of the frame's file (the movie's, for a movie plate); nil when it did not exist.
        public var size: Int64?
        /// Modification time of that file in nanoseconds since 1970; nil when it did not exist.
        public var mtimeNs: Int64?
        /// False when tracking could not read the frame (missing, truncated, corrupt): its lack
        /// of faces means nothing, and the frame is never treated as "no face".
        public var tracked: Bool

        public init(frame: Int, size: Int64?, mtimeNs: Int64?, tracked: Bool = true) {
            (self.frame, self.size, self.mtimeNs, self.tracked) = (frame, size, mtimeNs, tracked)
        }

        /// `frame`'s file as the file system sees it now: size and modification time, both nil
        /// when it does not exist.
        public init(frame: Int, file: String) {
            var info = stat()
            guard stat(file, &info) == 0 else {
                self.init(frame: frame, size: nil, mtimeNs: nil)
                return
            }
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            self.init(frame: frame, size: Int64(info.st_size), mtimeNs: mtime)
        }

        /// The same file state (the `tracked` outcome aside).
        public func sameFile(as other: Frame) -> Bool { frame == other.frame && size == other.size && mtimeNs == other.mtimeNs }

        enum CodingKeys: String, CodingKey { case frame, size, mtimeNs = "mtime_ns", tracked }
    }

    /// The plate path as shot.yaml resolved it (frame pattern or movie).
    public var plate: String
    /// Settings that change the tracks, by name (e.g. `face.smoothing`); compared as text.
    public var settings: [String: String]
    /// Every frame of the shot, in order.
    public var frames: [Frame]

    public init(plate: String, settings: [String: String], frames: [Frame]) {
        (self.plate, self.settings, self.frames) = (plate, settings, frames)
    }
}

extension TracksDocument {
    /// The frames tracking could not read: their lack of faces means nothing.
    public var unreadFrames: Set<Int> { Set(source?.frames.filter { !$0.tracked }.map(\.frame) ?? []) }

    /// The face of `frame` that `selection` chooses among those at least `minSize` pixels across,
    /// with its track, when it has the 468 landmarks an aligned crop needs; nil when there is none
    /// (or the frame is not in the document).
    public func selectedFace(frame: Int, selection: FaceSelection, minSize: Float) -> (face: DetectedFace, track: Int)? {
        guard let entry = frames.first(where: { $0.frame == frame }) else { return nil }
        let candidates = entry.faces.filter { $0.box.count == 4 && min($0.box[2] - $0.box[0], $0.box[3] - $0.box[1]) >= minSize }
        let detected = candidates.map(\.detectedFace)
        guard let index = selection.select(detected, trackIDs: candidates.map(\.track)),
              detected[index].landmarks.count >= FaceMeshTopology.pointCount else { return nil }
        return (detected[index], candidates[index].track)
    }
}
