/// Fixed indices into MediaPipe's 468-point face mesh.
public enum FaceMeshTopology {
    public static let pointCount = 468

    /// The face silhouette, in order around the face (MediaPipe FACEMESH_FACE_OVAL as a ring),
    /// starting at the forehead top (10) and going towards image right for a frontal face.
    public static let faceOval: [Int] = [
        10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
        148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
    ]

    /// Eye contours as rings (MediaPipe FACEMESH_RIGHT_EYE / LEFT_EYE): lower lid from the outer
    /// corner, then the upper lid back.
    public static let rightEyeRing: [Int] = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]
    public static let leftEyeRing: [Int] = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]
    /// The outer lip contour as a ring (FACEMESH_LIPS, outer part).
    public static let outerLipsRing: [Int] = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]
    /// The inner lip contour as a ring (FACEMESH_LIPS, inner part): where the lips part.
    public static let innerLipsRing: [Int] = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191]

    /// Outer eye corners: the subject's right eye (image left for a frontal face), then left.
    /// Nose bridge and tip, and each eyebrow (MediaPipe FACEMESH_NOSE's midline, FACEMESH_RIGHT_EYEBROW / LEFT_EYEBROW).
    public static let noseLine: [Int] = [168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 98, 327]
    public static let rightBrow: [Int] = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46]
    public static let leftBrow: [Int] = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276]

    public static let rightEyeOuter = 33
    public static let leftEyeOuter = 263
    public static let rightEyeInner = 133
    public static let leftEyeInner = 362
    public static let noseTip = 1
    public static let mouthRight = 61
    public static let mouthLeft = 291
    public static let chin = 152
    public static let foreheadTop = 10
}
