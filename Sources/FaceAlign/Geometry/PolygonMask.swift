import Imaging

/// Anti-aliased coverage of a closed polygon (even-odd rule) on a `width` x `height` grid whose
/// pixel (i, j) covers [i - 0.5, i + 0.5] x [j - 0.5, j + 0.5]. Each pixel gets the fraction of its
/// area inside the polygon: exact along x, `subrows` samples along y.
public func rasterizePolygon(_ polygon: [SIMD2<Double>], width: Int, height: Int, subrows: Int = 8) -> [Float] {
    var coverage = [Float](repeating: 0, count: width * height)
    guard polygon.count >= 3, width > 0, height > 0 else { return coverage }
    let ys = polygon.map(\.y)
    let rowLo = max(0, Int((ys.min()! + 0.5).rounded(.down)))
    let rowHi = min(height - 1, Int((ys.max()! + 0.5).rounded(.up)))
    guard rowLo <= rowHi else { return coverage }
    let weight = 1.0 / Double(subrows)
    var crossings: [Double] = []
    var rowAcc = [Double](repeating: 0, count: width)
    for row in rowLo...rowHi {
        for i in 0..<width { rowAcc[i] = 0 }
        for k in 0..<subrows {
            let y = Double(row) - 0.5 + (Double(k) + 0.5) * weight
            crossings.removeAll(keepingCapacity: true)
            for e in 0..<polygon.count {
                let p = polygon[e], q = polygon[(e + 1) % polygon.count]
                // Half-open rule so a vertex exactly on the sample line is counted once.
                if (p.y <= y) != (q.y <= y) {
                    crossings.append(p.x + (y - p.y) / (q.y - p.y) * (q.x - p.x))
                }
            }
            crossings.sort()
            var s = 0
            while s + 1 < crossings.count {
                addSpan(crossings[s], crossings[s + 1], weight, &rowAcc)
                s += 2
            }
        }
        for i in 0..<width where rowAcc[i] > 0 { coverage[row * width + i] = Float(min(1, rowAcc[i])) }
    }
    return coverage
}

/// Adds `weight` x the overlap of [x0, x1] with each pixel's [i - 0.5, i + 0.5].
private func addSpan(_ x0: Double, _ x1: Double, _ weight: Double, _ acc: inout [Double]) {
    let lo = max(x0, -0.5), hi = min(x1, Double(acc.count) - 0.5)
    guard hi > lo else { return }
    let first = Int((lo + 0.5).rounded(.down)), last = min(acc.count - 1, Int((hi + 0.5).rounded(.down)))
    if first == last { acc[first] += (hi - lo) * weight; return }
    acc[first] += (Double(first) + 0.5 - lo) * weight
    if last > first + 1 { for i in (first + 1)..<last { acc[i] += weight } }
    acc[last] += (hi - (Double(last) - 0.5)) * weight
}

/// The face-oval polygon of a mesh in the coordinates `transform` maps to (identity: source pixels).
public func faceOvalPolygon(landmarks: [SIMD3<Float>], transform: Imaging.AffineTransform = .identity) -> [SIMD2<Double>] {
    FaceMeshTopology.faceOval.map { transform.apply(SIMD2(Double(landmarks[$0].x), Double(landmarks[$0].y))) }
}

/// The eyes and the mouth of a face, as a coverage map at crop size: each contour of the mesh is
/// grown about its centre (eyes by `eyeGrowth`, taking in lids and lashes; the mouth by
/// `mouthGrowth`) and filled. The regions DeepFaceLab's eyes-and-mouth priority weighs up.
public func eyesAndMouthMask(landmarks: [SIMD3<Float>], transform: Imaging.AffineTransform, width: Int, height: Int,
                             eyeGrowth: Double = 1.6, mouthGrowth: Double = 1.25) -> [Float] {
    var coverage = [Float](repeating: 0, count: width * height)
    guard landmarks.count >= FaceMeshTopology.pointCount else { return coverage }
    let rings = [(FaceMeshTopology.rightEyeRing, eyeGrowth), (FaceMeshTopology.leftEyeRing, eyeGrowth),
                 (FaceMeshTopology.outerLipsRing, mouthGrowth)]
    for (ring, growth) in rings {
        let points = ring.map { transform.apply(SIMD2(Double(landmarks[$0].x), Double(landmarks[$0].y))) }
        let centre = points.reduce(SIMD2<Double>(0, 0), +) / Double(points.count)
        let part = rasterizePolygon(points.map { centre + ($0 - centre) * growth }, width: width, height: height)
        for i in coverage.indices { coverage[i] = max(coverage[i], part[i]) }
    }
    return coverage
}
