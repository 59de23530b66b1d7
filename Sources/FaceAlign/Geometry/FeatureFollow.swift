import Imaging

/// Moves a swapped face's features onto the plate performer's: the swap draws the actor's mouth,
/// nose, eyes and brows where the actor has them in her training poses (a face drawn more frontal
/// than the plate's turned head puts the nose and mouth a tenth of the eye distance to one side),
/// and a compositor would spline-warp them onto the performance. Each feature moves as a whole
/// (its centroid), so its shape stays the actor's; the face outline stays where the plate's is.
public struct FeatureFollow: Sendable {
    /// The features, each moved by the shift of its landmarks' centroid.
    public static let regions: [(name: String, points: [Int])] = [
        ("mouth", FaceMeshTopology.outerLipsRing), ("nose", FaceMeshTopology.noseLine),
        ("right eye", FaceMeshTopology.rightEyeRing), ("left eye", FaceMeshTopology.leftEyeRing),
        ("right brow", FaceMeshTopology.rightBrow), ("left brow", FaceMeshTopology.leftBrow),
    ]
    /// A feature further than this (eye distances) from the plate's is a landmarking failure on
    /// the swap (a smeared face), not a pose to follow: the face is then left as the model drew it.
    public static let maximumShift: Float = 0.35

    /// 0 leaves the swap as drawn, 1 puts each feature's centroid exactly on the plate's.
    public var strength: Float

    public init(strength: Float) { self.strength = strength }

    /// The map from output crop pixels to the swapped crop's (integer-centred crop coordinates,
    /// both meshes in them) and the largest feature shift in eye distances; nil when a shift is
    /// beyond `maximumShift` or the meshes are degenerate.
    public func sourceMap(plate: [SIMD3<Float>], swap: [SIMD3<Float>]) -> (map: ThinPlateSpline, largestShift: Float)? {
        guard plate.count >= FaceMeshTopology.pointCount, swap.count >= FaceMeshTopology.pointCount else { return nil }
        func point(_ p: SIMD3<Float>) -> SIMD2<Double> { SIMD2(Double(p.x), Double(p.y)) }
        func centroid(_ marks: [SIMD3<Float>], _ points: [Int]) -> SIMD2<Double> {
            points.reduce(SIMD2<Double>.zero) { $0 + point(marks[$1]) } / Double(points.count)
        }
        let eyes = point(plate[FaceMeshTopology.rightEyeOuter]) - point(plate[FaceMeshTopology.leftEyeOuter])
        let eyeDistance = (eyes * eyes).sum().squareRoot()
        guard eyeDistance > 0, eyeDistance.isFinite else { return nil }
        // Output pixel at a plate feature shows the swap at its own feature: from plate to swap positions.
        var from: [SIMD2<Double>] = [], to: [SIMD2<Double>] = [], largest: Double = 0
        for region in Self.regions {
            let onPlate = centroid(plate, region.points), onSwap = centroid(swap, region.points)
            let shift = onSwap - onPlate
            largest = max(largest, (shift * shift).sum().squareRoot() / eyeDistance)
            from.append(onPlate)
            to.append(onPlate + Double(strength) * shift)
        }
        guard largest.isFinite, largest <= Double(Self.maximumShift) else { return nil }
        // The outline is pinned where the plate's is: the mask's edge blends a face that did not move there.
        for i in FaceMeshTopology.faceOval {
            from.append(point(plate[i]))
            to.append(point(plate[i]))
        }
        guard let map = ThinPlateSpline(from: from, to: to) else { return nil }
        return (map, Float(largest))
    }
}
