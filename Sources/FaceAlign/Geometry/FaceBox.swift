/// An axis-aligned box in image pixels: (x1, y1) top-left, (x2, y2) bottom-right.
public struct FaceBox: Equatable, Sendable {
    public var x1, y1, x2, y2: Float

    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        (self.x1, self.y1, self.x2, self.y2) = (x1, y1, x2, y2)
    }

    public var width: Float { x2 - x1 }
    public var height: Float { y2 - y1 }
    public var area: Float { max(0, width) * max(0, height) }
    public var center: SIMD2<Float> { SIMD2((x1 + x2) / 2, (y1 + y2) / 2) }
    public var diagonal: Float { (width * width + height * height).squareRoot() }
    public var array: [Float] { [x1, y1, x2, y2] }

    /// Intersection over union (areas without +1).
    public func iou(_ other: FaceBox) -> Float {
        let iw = min(x2, other.x2) - max(x1, other.x1), ih = min(y2, other.y2) - max(y1, other.y1)
        guard iw > 0, ih > 0 else { return 0 }
        let inter = iw * ih
        return inter / (area + other.area - inter)
    }

    public func scaled(by s: Float) -> FaceBox { FaceBox(x1: x1 * s, y1: y1 * s, x2: x2 * s, y2: y2 * s) }
}

/// One face found in an image: detector box, score and 5 points, and (when the landmarker ran)
/// 468 mesh landmarks (x, y in image pixels, z relative depth in the same scale) with the mesh's
/// face-presence probability.
public struct DetectedFace: Sendable {
    public var box: FaceBox
    public var score: Float
    /// Subject's right eye, left eye, nose, right mouth corner, left mouth corner.
    public var points5: [SIMD2<Float>]
    public var landmarks: [SIMD3<Float>]
    public var presence: Float

    public init(box: FaceBox, score: Float, points5: [SIMD2<Float>], landmarks: [SIMD3<Float>] = [], presence: Float = 0) {
        self.box = box
        self.score = score
        self.points5 = points5
        self.landmarks = landmarks
        self.presence = presence
    }

    /// Outer-eye-corner distance from the mesh, or the 5-point eye distance without a mesh.
    public var interocularDistance: Float {
        if landmarks.count >= FaceMeshTopology.pointCount {
            let a = landmarks[FaceMeshTopology.rightEyeOuter], b = landmarks[FaceMeshTopology.leftEyeOuter]
            return ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
        }
        guard points5.count >= 2 else { return box.width / 3 }
        let d = points5[0] - points5[1]
        return (d * d).sum().squareRoot()
    }
}

extension DetectedFace {
    /// The same face with every coordinate moved by `offset` (e.g. from an EXR data window into
    /// the file's pixel space).
    public func shifted(by offset: SIMD2<Float>) -> DetectedFace {
        guard offset != .zero else { return self }
        var f = self
        f.box = FaceBox(x1: box.x1 + offset.x, y1: box.y1 + offset.y, x2: box.x2 + offset.x, y2: box.y2 + offset.y)
        f.points5 = points5.map { $0 + offset }
        f.landmarks = landmarks.map { $0 + SIMD3(offset.x, offset.y, 0) }
        return f
    }
}
