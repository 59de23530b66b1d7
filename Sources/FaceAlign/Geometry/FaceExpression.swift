/// A face's expression and head pose as a few numbers from its 468 FaceMesh landmarks, to find the
/// actor's faces that look like the plate's (`plateswap train`'s `source_match`). Lengths are in
/// image-plane units of the eye-corner distance, so the crop's scale and roll do not matter.
public struct FaceExpression: Equatable, Sendable {
    /// Inner lips apart (0 when the mouth is closed).
    public var lipGap: Float
    /// Top of the upper lip to the bottom of the lower lip: a smile thins it, talking opens it.
    public var lipHeight: Float
    /// Mouth corner to mouth corner (a smile widens it).
    public var mouthWidth: Float
    /// Eyelid to eyelid, of the face's right eye (image left) and left eye.
    public var rightEyeOpen: Float, leftEyeOpen: Float
    public var pose: HeadPose

    /// Nil unless there are 468 points of three coordinates and the eye corners are apart.
    public init?(landmarks: [[Float]]) {
        guard let pose = HeadPose(landmarks: landmarks) else { return nil }
        func distance(_ a: Int, _ b: Int) -> Float {
            let (dx, dy) = (landmarks[a][0] - landmarks[b][0], landmarks[a][1] - landmarks[b][1])
            return (dx * dx + dy * dy).squareRoot()
        }
        let eyes = distance(FaceMeshTopology.rightEyeOuter, FaceMeshTopology.leftEyeOuter)
        guard eyes > 0, eyes.isFinite else { return nil }
        lipGap = distance(Self.upperLipInner, Self.lowerLipInner) / eyes
        lipHeight = distance(Self.upperLipTop, Self.lowerLipBottom) / eyes
        mouthWidth = distance(FaceMeshTopology.mouthRight, FaceMeshTopology.mouthLeft) / eyes
        rightEyeOpen = distance(Self.rightUpperLid, Self.rightLowerLid) / eyes
        leftEyeOpen = distance(Self.leftUpperLid, Self.leftLowerLid) / eyes
        self.pose = pose
    }

    /// The expression of the mirror image (what a flipped training variant shows).
    public var mirrored: FaceExpression {
        var m = self
        (m.rightEyeOpen, m.leftEyeOpen) = (leftEyeOpen, rightEyeOpen)
        m.pose = pose.mirrored
        return m
    }

    /// The numbers in a fixed order: the five lengths, then yaw and pitch in degrees.
    public var features: [Float] { [lipGap, lipHeight, mouthWidth, rightEyeOpen, leftEyeOpen, pose.yaw, pose.pitch] }
    /// Names of `features`, for logs.
    public static let featureNames = ["lip gap", "lip height", "mouth width", "right eye", "left eye", "yaw", "pitch"]

    // Midline of the lips (FaceMesh's inner- and outer-lip rings) and the middle of each eyelid.
    static let upperLipInner = 13, lowerLipInner = 14, upperLipTop = 0, lowerLipBottom = 17
    static let rightUpperLid = 159, rightLowerLid = 145, leftUpperLid = 386, leftLowerLid = 374
}
