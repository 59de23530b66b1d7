import Imaging

/// What part of the head an aligned crop shows.
public enum FaceType: String, Codable, CaseIterable, Sendable {
    /// Face plus most of the forehead (default; DeepFaceLab's "whole face").
    case wholeFace = "whole_face"
    /// Brows to chin, tighter: the classic "full face" crop.
    case full
    /// The whole head with some hair and neck.
    case head
}

/// A canonical layout of a fixed subset of mesh points inside the unit crop [0, 1]^2.
///
/// The point positions are the frontal (x, y) projection of MediaPipe's canonical face model
/// (mediapipe/modules/face_geometry/data/canonical_face_model.obj, Apache-2.0; units ~cm, y up),
/// so the template is symmetric and expression-neutral. Only rigid points are used (eye corners,
/// nose line, face sides, chin, forehead): mouth and brows move with expression.
public struct FaceTemplate: Sendable {
    public let faceType: FaceType
    /// Mesh indices and their unit-crop positions (x right, y down).
    public let indices: [Int]
    public let unitPoints: [SIMD2<Double>]

    /// (mesh index, canonical x, canonical y) with y up, from the canonical model.
    static let canonical: [(Int, Double, Double)] = [
        (33, -4.445859, 2.663991), (133, -1.856432, 2.585245), (362, 1.856432, 2.585245), (263, 4.445859, 2.663991),
        (6, 0, 2.473255), (4, 0, -0.463170), (1, 0, -1.126865), (2, 0, -2.089024),
        (9, 0, 4.885979), (151, 0, 6.545390), (10, 0, 8.261778), (152, 0, -9.403378),
        (127, -7.743095, 2.364999), (356, 7.743095, 2.364999), (58, -6.719682, -4.788645), (288, 6.719682, -4.788645),
        (61, -2.456206, -4.342621), (291, 2.456206, -4.342621),
    ]

    /// Crop centre (canonical units, y up) and half side for each face type. The face oval spans
    /// y -9.4 (chin) .. 8.3 (forehead top point) and x +-7.7.
    static func frame(_ type: FaceType) -> (cx: Double, cy: Double, half: Double) {
        switch type {
        case .wholeFace: return (0, 0.0, 11.0)
        case .full: return (0, -1.2, 8.6)
        case .head: return (0, 1.2, 15.5)
        }
    }

    public init(_ type: FaceType) {
        faceType = type
        let f = Self.frame(type)
        indices = Self.canonical.map(\.0)
        unitPoints = Self.canonical.map { _, x, y in
            SIMD2((x - f.cx) / (2 * f.half) + 0.5, (f.cy - y) / (2 * f.half) + 0.5)
        }
    }

    /// The source -> crop similarity for a face with these mesh landmarks (source pixels), for a
    /// square crop of `size` pixels (pixel centres at integer coordinates).
    public func alignment(landmarks: [SIMD3<Float>], size: Int) -> Imaging.AffineTransform {
        precondition(landmarks.count >= FaceMeshTopology.pointCount, "need the 468 mesh landmarks")
        let src = indices.map { SIMD2(Double(landmarks[$0].x), Double(landmarks[$0].y)) }
        // Unit square corners map to the outer pixel edges: u * size - 0.5.
        let dst = unitPoints.map { $0 * Double(size) - 0.5 }
        return umeyamaSimilarity(from: src, to: dst)
    }
}
