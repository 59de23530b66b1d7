import Foundation

/// `tracks.json`: every frame of a shot with its faces, track ids and smoothed landmarks.
/// Written once by the track step; chunks only read it (docs/ARCHITECTURE.md, sections 6 and 8).
/// Versioned: readers keep what they know and ignore keys they do not (a newer file's extra
/// per-face fields), and `source` (version 2 on) says what the tracks were made from.
public struct TracksDocument: FaceAlignJSON, Equatable, Sendable {
    public struct Face: Codable, Equatable, Sendable {
        public var track: Int
        public var box: [Float]
        public var score: Float
        public var points5: [[Float]]
        /// 468 x [x, y, z] in plate pixels, smoothed over the track.
        public var landmarks: [[Float]]
        public var presence: Float
        /// True when the detector missed this frame and the face was interpolated from the
        /// track's neighbouring frames.
        public var interpolated: Bool
        /// Plate -> crop similarity of this face's aligned crop (the crop `alignment` describes):
        /// [[a, b, c], [d, e, f]], crop = (a x + b y + c, d x + e y + f), integer pixel centres as
        /// faceset.json's `matrix`. Absent in files written before it existed.
        public var matrix: [[Double]]?
    }

    /// The crop every face's `matrix` maps into.
    public struct Alignment: Codable, Equatable, Sendable {
        public var size: Int
        public var faceType: FaceType
        enum CodingKeys: String, CodingKey { case size, faceType = "face_type" }

        public init(size: Int, faceType: FaceType) {
            self.size = size
            self.faceType = faceType
        }
    }

    public struct Frame: Codable, Equatable, Sendable {
        public var frame: Int
        public var faces: [Face]
    }

    public struct Track: Codable, Equatable, Sendable {
        public var id: Int
        public var firstFrame: Int
        public var lastFrame: Int
        public var detections: Int
        enum CodingKeys: String, CodingKey { case id, firstFrame = "first_frame", lastFrame = "last_frame", detections }
    }

    /// The format this plateswap writes: 2 added `source`.
    public static let currentVersion = 2

    public var version: Int = TracksDocument.currentVersion
    public var frameRate: Double
    public var smoothing: OneEuroParameters
    public var tracks: [Track]
    public var frames: [Frame]
    /// The plate and settings the tracks were made from; nil in version-1 files.
    public var source: TracksSource?
    /// Set with the faces' matrices by `addAlignment`.
    public var alignment: Alignment?

    enum CodingKeys: String, CodingKey { case version, frameRate = "frame_rate", smoothing, tracks, frames, alignment, source }

    /// Gives every face the matrix of its `faceType` crop of `size` pixels, from its landmarks (the
    /// crop the swap cuts).
    public mutating func addAlignment(_ alignment: Alignment) {
        let template = FaceTemplate(alignment.faceType)
        for f in frames.indices {
            for k in frames[f].faces.indices where frames[f].faces[k].landmarks.count >= FaceMeshTopology.pointCount {
                let landmarks = frames[f].faces[k].landmarks.map { SIMD3($0[0], $0[1], $0[2]) }
                frames[f].faces[k].matrix = template.alignment(landmarks: landmarks, size: alignment.size).rows
            }
        }
        self.alignment = alignment
    }


    /// The face of `track` on `frame`, if any.
    public func face(frame: Int, track: Int) -> Face? {
        frames.first { $0.frame == frame }?.faces.first { $0.track == track }
    }
}

extension TracksDocument.Face {
    public var detectedFace: DetectedFace {
        DetectedFace(box: FaceBox(x1: box[0], y1: box[1], x2: box[2], y2: box[3]), score: score,
                     points5: points5.map { SIMD2($0[0], $0[1]) },
                     landmarks: landmarks.map { SIMD3($0[0], $0[1], $0[2]) }, presence: presence)
    }
}
