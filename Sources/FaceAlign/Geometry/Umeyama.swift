import Imaging

/// Least-squares similarity (rotation, uniform scale, translation; no reflection) taking `source`
/// points onto `target` points: Umeyama (1991) specialised to 2D, where the SVD of the 2x2
/// cross-covariance reduces to a closed form.
public func umeyamaSimilarity(from source: [SIMD2<Double>], to target: [SIMD2<Double>]) -> Imaging.AffineTransform {
    precondition(source.count == target.count && source.count >= 2, "need at least 2 matching point pairs")
    let n = Double(source.count)
    let meanS = source.reduce(SIMD2<Double>.zero, +) / n
    let meanT = target.reduce(SIMD2<Double>.zero, +) / n
    var dot = 0.0, cross = 0.0, varS = 0.0
    for (s, t) in zip(source, target) {
        let p = s - meanS, q = t - meanT
        dot += p.x * q.x + p.y * q.y
        cross += p.x * q.y - p.y * q.x
        varS += p.x * p.x + p.y * p.y
    }
    guard varS > 0 else { return .translation(meanT.x - meanS.x, meanT.y - meanS.y) }
    // (a, b) = scale * (cos, sin): the rotation that maximises the correlation, scaled by
    // sqrt(dot^2 + cross^2) / varS, which is Umeyama's trace(D S) / sigma_s^2 in 2D.
    let ca = dot / varS, sb = cross / varS
    let tx = meanT.x - (ca * meanS.x - sb * meanS.y)
    let ty = meanT.y - (sb * meanS.x + ca * meanS.y)
    return AffineTransform(a: ca, b: -sb, c: tx, d: sb, e: ca, f: ty)
}
