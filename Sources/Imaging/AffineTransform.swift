/// A 2x3 affine map of the plane: `x' = a*x + b*y + c`, `y' = d*x + e*y + f`.
///
/// Coordinates are continuous pixel coordinates with the **pixel-centre convention**: pixel `(i, j)`
/// covers `[i, i+1) x [j, j+1)` and its centre is `(i + 0.5, j + 0.5)`; `y` grows downwards.
/// A matrix written for the "integer centre" convention (OpenCV's `warpAffine`, where pixel `i` sits
/// at `i`) converts with `fromIntegerCentreConvention`.
public struct AffineTransform: Equatable, Sendable, CustomStringConvertible {
    public var a: Double, b: Double, c: Double
    public var d: Double, e: Double, f: Double

    public init(a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        (self.a, self.b, self.c, self.d, self.e, self.f) = (a, b, c, d, e, f)
    }

    /// From two rows `[[a, b, c], [d, e, f]]` (the layout faceset.json stores).
    public init(rows: [[Double]]) {
        precondition(rows.count == 2 && rows.allSatisfy { $0.count == 3 }, "an affine transform needs 2 rows of 3 values")
        self.init(a: rows[0][0], b: rows[0][1], c: rows[0][2], d: rows[1][0], e: rows[1][1], f: rows[1][2])
    }

    public var rows: [[Double]] { [[a, b, c], [d, e, f]] }

    public static let identity = AffineTransform(a: 1, b: 0, c: 0, d: 0, e: 1, f: 0)

    public static func translation(_ tx: Double, _ ty: Double) -> AffineTransform {
        AffineTransform(a: 1, b: 0, c: tx, d: 0, e: 1, f: ty)
    }

    public static func scale(_ sx: Double, _ sy: Double) -> AffineTransform {
        AffineTransform(a: sx, b: 0, c: 0, d: 0, e: sy, f: 0)
    }

    /// Rotation by `radians` about the origin (counter-clockwise on screen, where y points down,
    /// is a negative angle).
    public static func rotation(_ radians: Double) -> AffineTransform {
        let (s, co) = (sin(radians), cos(radians))
        return AffineTransform(a: co, b: -s, c: 0, d: s, e: co, f: 0)
    }

    public var determinant: Double { a * e - b * d }

    /// The inverse map; nil when the matrix is singular.
    public var inverse: AffineTransform? {
        let det = determinant
        guard det != 0, det.isFinite else { return nil }
        let ia = e / det, ib = -b / det, id = -d / det, ie = a / det
        return AffineTransform(a: ia, b: ib, c: -(ia * c + ib * f), d: id, e: ie, f: -(id * c + ie * f))
    }

    /// `self` applied after `first`: `result.apply(p) == self.apply(first.apply(p))`.
    public func concatenating(after first: AffineTransform) -> AffineTransform {
        AffineTransform(
            a: a * first.a + b * first.d, b: a * first.b + b * first.e, c: a * first.c + b * first.f + c,
            d: d * first.a + e * first.d, e: d * first.b + e * first.e, f: d * first.c + e * first.f + f)
    }

    /// `then` applied after `self`.
    public func followed(by then: AffineTransform) -> AffineTransform { then.concatenating(after: self) }

    public func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + c, d * x + e * y + f)
    }

    /// Converts a matrix written for integer pixel centres (pixel i at i) to this type's convention
    /// (pixel i centred at i + 0.5): `T(+0.5) * m * T(-0.5)`.
    public static func fromIntegerCentreConvention(_ m: AffineTransform) -> AffineTransform {
        translation(0.5, 0.5).concatenating(after: m.concatenating(after: translation(-0.5, -0.5)))
    }

    /// The inverse of `fromIntegerCentreConvention`.
    public var inIntegerCentreConvention: AffineTransform {
        AffineTransform.translation(-0.5, -0.5).concatenating(after: concatenating(after: .translation(0.5, 0.5)))
    }

    public var description: String { "[[\(a), \(b), \(c)], [\(d), \(e), \(f)]]" }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
