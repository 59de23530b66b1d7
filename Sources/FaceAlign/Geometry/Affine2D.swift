/// A 2x3 affine map `[a b tx; c d ty]` taking (x, y) to (a x + b y + tx, c x + d y + ty).
///
/// Pixel convention everywhere in FaceAlign: pixel (i, j) has its centre at (i, j), so a crop
/// matrix maps source pixel centres to crop pixel centres.
public struct Affine2D: Equatable, Codable, Sendable {
    public var a, b, tx, c, d, ty: Double

    public init(a: Double, b: Double, tx: Double, c: Double, d: Double, ty: Double) {
        (self.a, self.b, self.tx, self.c, self.d, self.ty) = (a, b, tx, c, d, ty)
    }

    /// Row-major 2x3: [[a, b, tx], [c, d, ty]].
    public init(rows: [[Double]]) {
        precondition(rows.count == 2 && rows.allSatisfy { $0.count == 3 }, "an affine matrix has 2 rows of 3")
        self.init(a: rows[0][0], b: rows[0][1], tx: rows[0][2], c: rows[1][0], d: rows[1][1], ty: rows[1][2])
    }

    public static let identity = Affine2D(a: 1, b: 0, tx: 0, c: 0, d: 1, ty: 0)

    public var rows: [[Double]] { [[a, b, tx], [c, d, ty]] }

    public func apply(_ p: SIMD2<Double>) -> SIMD2<Double> {
        SIMD2(a * p.x + b * p.y + tx, c * p.x + d * p.y + ty)
    }

    public func apply(x: Float, y: Float) -> SIMD2<Float> {
        let q = apply(SIMD2(Double(x), Double(y)))
        return SIMD2(Float(q.x), Float(q.y))
    }

    public var determinant: Double { a * d - b * c }

    /// Uniform scale of a similarity (sqrt of |det|).
    public var scale: Double { abs(determinant).squareRoot() }

    public var inverse: Affine2D {
        let det = determinant
        precondition(det != 0, "singular affine matrix")
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
        return Affine2D(a: ia, b: ib, tx: -(ia * tx + ib * ty), c: ic, d: id, ty: -(ic * tx + id * ty))
    }

    /// `self` after `first`: p -> self(first(p)).
    public func concatenating(after first: Affine2D) -> Affine2D {
        Affine2D(a: a * first.a + b * first.c, b: a * first.b + b * first.d, tx: a * first.tx + b * first.ty + tx,
                 c: c * first.a + d * first.c, d: c * first.b + d * first.d, ty: c * first.tx + d * first.ty + ty)
    }
}
