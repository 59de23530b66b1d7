import Foundation

/// `faceset.json` of a face set directory (docs/ARCHITECTURE.md, section 6): one entry per aligned face, with
/// its crop `faces/NNNNNN.png` and mask `masks/NNNNNN.png` (16-bit sRGB PNG, `size` px).
///
/// Coordinates (box, points5, landmarks, matrix) are source pixels with pixel centres at integer
/// coordinates; for EXR input they are in the EXR's pixel space (data window offset included).
/// `matrix` maps source -> crop: [[a, b, c], [d, e, f]], crop = (a x + b y + c, d x + e y + f).
public struct FaceSetDocument: FaceAlignJSON, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var file: String
        public var mask: String
        public var source: String
        /// Frame number for sequences and movies (0-based for movies); nil for single images.
        public var frame: Int?
        /// Index of the face in its frame (largest first).
        public var faceIndex: Int
        public var track: Int?
        public var box: [Float]
        public var score: Float
        public var points5: [[Float]]
        public var landmarks: [[Float]]
        public var presence: Float
        public var matrix: [[Double]]
        public var size: Int
        public var faceType: FaceType

        public init(file: String, mask: String, source: String, frame: Int?, faceIndex: Int, track: Int?, face: DetectedFace,
                    matrix: [[Double]], size: Int, faceType: FaceType) {
            self.file = file
            self.mask = mask
            self.source = source
            self.frame = frame
            self.faceIndex = faceIndex
            self.track = track
            box = face.box.array
            score = face.score
            points5 = face.points5.map { [$0.x, $0.y] }
            landmarks = face.landmarks.map { [$0.x, $0.y, $0.z] }
            presence = face.presence
            self.matrix = matrix
            self.size = size
            self.faceType = faceType
        }

        enum CodingKeys: String, CodingKey {
            case file, mask, source, frame, faceIndex = "face_index", track, box, score, points5, landmarks, presence,
                 matrix, size, faceType = "face_type"
        }
    }

    public struct Miss: Codable, Equatable, Sendable {
        public var source: String
        public var frame: Int?
        public var reason: String
        public init(source: String, frame: Int?, reason: String) {
            self.source = source
            self.frame = frame
            self.reason = reason
        }
    }

    public var version = 1
    public var faceType: FaceType
    public var size: Int
    public var colorspace = "srgb"
    public var faces: [Entry] = []
    /// Frames or images where no face was found or that could not be read (not fatal).
    public var framesWithoutFaces: [Miss] = []

    enum CodingKeys: String, CodingKey {
        case version, faceType = "face_type", size, colorspace, faces, framesWithoutFaces = "frames_without_faces"
    }

    public init(faceType: FaceType, size: Int) {
        self.faceType = faceType
        self.size = size
    }

}
