/// A 3x3 matrix in Double, row-major, for colour space conversions (`rgbOut = m * rgbIn`).
public struct Matrix3: Equatable, Sendable, CustomStringConvertible {
    public var rows: [SIMD3<Double>]

    public init(rows: [SIMD3<Double>]) {
        precondition(rows.count == 3, "a 3x3 matrix needs 3 rows")
        self.rows = rows
    }

    public init(_ values: [[Double]]) {
        precondition(values.count == 3 && values.allSatisfy { $0.count == 3 }, "a 3x3 matrix needs 3 rows of 3")
        rows = values.map { SIMD3($0[0], $0[1], $0[2]) }
    }

    public static let identity = Matrix3([[1, 0, 0], [0, 1, 0], [0, 0, 1]])

    public static func diagonal(_ v: SIMD3<Double>) -> Matrix3 { Matrix3([[v.x, 0, 0], [0, v.y, 0], [0, 0, v.z]]) }

    /// Columns as matrix from three column vectors.
    public init(columns c0: SIMD3<Double>, _ c1: SIMD3<Double>, _ c2: SIMD3<Double>) {
        rows = [SIMD3(c0.x, c1.x, c2.x), SIMD3(c0.y, c1.y, c2.y), SIMD3(c0.z, c1.z, c2.z)]
    }

    public subscript(row: Int, column: Int) -> Double { rows[row][column] }

    public static func * (m: Matrix3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((m.rows[0] * v).sum(), (m.rows[1] * v).sum(), (m.rows[2] * v).sum())
    }

    public static func * (l: Matrix3, r: Matrix3) -> Matrix3 {
        let c = (0..<3).map { j in SIMD3(r.rows[0][j], r.rows[1][j], r.rows[2][j]) }
        return Matrix3(rows: l.rows.map { row in SIMD3((row * c[0]).sum(), (row * c[1]).sum(), (row * c[2]).sum()) })
    }

    public var determinant: Double {
        let (r0, r1, r2) = (rows[0], rows[1], rows[2])
        return r0.x * (r1.y * r2.z - r1.z * r2.y) - r0.y * (r1.x * r2.z - r1.z * r2.x) + r0.z * (r1.x * r2.y - r1.y * r2.x)
    }

    /// The inverse (adjugate over determinant); traps on a singular matrix, which no colour space has.
    public var inverse: Matrix3 {
        let det = determinant
        precondition(det != 0, "singular colour matrix")
        let (r0, r1, r2) = (rows[0], rows[1], rows[2])
        // Columns of the inverse are cross products of the rows.
        let c0 = simdCross(r1, r2) / det, c1 = simdCross(r2, r0) / det, c2 = simdCross(r0, r1) / det
        return Matrix3(rows: [c0, c1, c2]).transposed
    }

    public var transposed: Matrix3 { Matrix3(columns: rows[0], rows[1], rows[2]) }

    public var description: String {
        "[" + rows.map { "[\($0.x), \($0.y), \($0.z)]" }.joined(separator: ", ") + "]"
    }
}

func simdCross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
