import Foundation

/// Head turn (yaw) and nod (pitch) read from FaceMesh's 468 3D landmarks: the direction of the
/// face's normal, the cross product of the line across the face (outer eye corners plus the face
/// oval's sides) and the line from the top of the forehead to the chin. FaceMesh's depth is flatter than a real
/// head, so these read lower than the true angles; they compare faces with each other (is the
/// plate turned further than any face of the actor?), they do not measure a head.
public struct HeadPose: Equatable, Sendable {
    /// Degrees; positive when the face's left side (the image's right) is farther from the camera.
    public var yaw: Float
    /// Degrees; positive when the chin is farther from the camera than the forehead (head tilted back).
    public var pitch: Float

    public init(yaw: Float, pitch: Float) { (self.yaw, self.pitch) = (yaw, pitch) }

    /// Nil unless there are 468 points of three coordinates (x, y, z; z grows away from the camera).
    public init?(landmarks: [[Float]]) {
        guard landmarks.count == FaceMeshTopology.pointCount, landmarks.allSatisfy({ $0.count >= 3 }) else { return nil }
        func difference(_ a: Int, _ b: Int) -> SIMD3<Float> {
            SIMD3(landmarks[a][0] - landmarks[b][0], landmarks[a][1] - landmarks[b][1], landmarks[a][2] - landmarks[b][2])
        }
        let across = difference(FaceMeshTopology.leftEyeOuter, FaceMeshTopology.rightEyeOuter) + difference(Self.leftCheek, Self.rightCheek)
        let down = difference(Self.chin, Self.foreheadTop)
        // The face's normal (away from the camera when frontal): a turn about the vertical axis
        // moves only its yaw, a nod mostly its pitch.
        let normal = SIMD3(across.y * down.z - across.z * down.y, across.z * down.x - across.x * down.z, across.x * down.y - across.y * down.x)
        let length = (normal * normal).sum().squareRoot()
        guard length > 0, length.isFinite else { return nil }
        let n = normal / length
        yaw = Float(atan2(Double(-n.x), Double(n.z)) * 180 / .pi)
        pitch = Float(asin(Double(max(-1, min(1, -n.y)))) * 180 / .pi)
    }

    /// The pose of the mirror image (what a flipped training variant shows).
    public var mirrored: HeadPose { HeadPose(yaw: -yaw, pitch: pitch) }

    /// Euclidean distance in degrees over (yaw, pitch).
    public func distance(to other: HeadPose) -> Float { ((yaw - other.yaw) * (yaw - other.yaw) + (pitch - other.pitch) * (pitch - other.pitch)).squareRoot() }

    // The face oval's widest points (beside the ears) and its top and bottom.
    static let rightCheek = 234, leftCheek = 454, foreheadTop = 10, chin = 152
}
