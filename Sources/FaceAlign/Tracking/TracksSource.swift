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
