import Foundation

/// A thin-plate spline in the plane: the smoothest map (least bending energy) that takes each
/// control point exactly to its given position, an affine map plus radial terms r^2 log r.
/// Used to move a swapped face's features onto the plate performer's while its outline stays put.
public struct ThinPlateSpline: Sendable {
    let centres: [SIMD2<Double>]
    /// Per centre, the radial weights of x and y; then the affine part: constant, x and y columns.
    let weights: [SIMD2<Double>]
    let affine: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>)

    /// The spline taking `from[i]` to `to[i]`. Nil when fewer than three points are given or they
    /// lie on one line (the affine part is then undetermined).
    public init?(from: [SIMD2<Double>], to: [SIMD2<Double>]) {
        precondition(from.count == to.count, "one target per control point")
        let n = from.count, size = n + 3
        guard n >= 3 else { return nil }
        // [K P; P^T 0] [w; a] = [to; 0], K_ij = U(|p_i - p_j|), P_i = (1, x_i, y_i).
        var system = [Double](repeating: 0, count: size * size)
        var rhs = [SIMD2<Double>](repeating: .zero, count: size)
        for i in 0..<n {
            for j in 0..<n { system[i * size + j] = Self.kernel(from[i], from[j]) }
            let row = [1, from[i].x, from[i].y]
            for k in 0..<3 {
                system[i * size + n + k] = row[k]
                system[(n + k) * size + i] = row[k]
            }
            rhs[i] = to[i]
        }
        guard let solution = Self.solve(&system, &rhs, size: size) else { return nil }
        centres = from
        weights = Array(solution.prefix(n))
        affine = (solution[n], solution[n + 1], solution[n + 2])
    }

    public func callAsFunction(_ p: SIMD2<Double>) -> SIMD2<Double> {
        var q = affine.0 + affine.1 * p.x + affine.2 * p.y
        for (c, w) in zip(centres, weights) { q += w * Self.kernel(p, c) }
        return q
    }

    /// U(r) = r^2 log r (0 at r = 0).
    static func kernel(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
        let d = a - b, r2 = d.x * d.x + d.y * d.y
        return r2 > 0 ? 0.5 * r2 * log(r2) : 0
    }

    /// Gaussian elimination with partial pivoting for two right-hand sides at once; nil if singular.
    static func solve(_ a: inout [Double], _ b: inout [SIMD2<Double>], size n: Int) -> [SIMD2<Double>]? {
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0 * n + col]) < abs(a[$1 * n + col]) }!
            guard abs(a[pivot * n + col]) > 1e-12 else { return nil }
            if pivot != col {
                for k in 0..<n { a.swapAt(col * n + k, pivot * n + k) }
                b.swapAt(col, pivot)
            }
            for row in (col + 1)..<n where a[row * n + col] != 0 {
                let f = a[row * n + col] / a[col * n + col]
                for k in col..<n { a[row * n + k] -= f * a[col * n + k] }
                b[row] -= f * b[col]
            }
        }
        var x = [SIMD2<Double>](repeating: .zero, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<n { sum -= a[row * n + k] * x[k] }
            x[row] = sum / a[row * n + row]
        }
        return x
    }
}

extension ImageBuffer {
    /// Each output pixel (x, y) takes this image's value at `source((x, y))`, in integer-centred
    /// pixel coordinates (pixel (i, j) is the point (i, j), as FaceMesh's landmarks), interpolated
    /// by Catmull-Rom's cubic (exact at whole pixels and on linear ramps; bilinear's averaging at
    /// half-pixel offsets cost the swapped face a fifth of its fine detail). Positions outside are
    /// clamped to the edge pixels. Every channel is remapped.
    public func remapped(_ source: (SIMD2<Double>) -> SIMD2<Double>) -> ImageBuffer {
        let last = SIMD2(Double(max(width - 1, 0)), Double(max(height - 1, 0)))
        return warped(by: { centre in
            let p = source(centre - 0.5)
            return SIMD2(min(max(p.x, 0), last.x), min(max(p.y, 0), last.y)) + 0.5
        }, filter: .bicubic, edge: .clamp)
    }
}
