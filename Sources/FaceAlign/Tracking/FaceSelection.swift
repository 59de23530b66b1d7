import Foundation

/// Which face of a frame is the target.
public enum FaceSelection: Equatable, Sendable, CustomStringConvertible {
    case largest
    case track(Int)
    case point(x: Float, y: Float)

    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "face selection '\(text)' is not one of: largest, track:N, point:[x,y]"
        }
    }

    /// Parses `largest`, `track:N`, `point:[x,y]` or `point:x,y` (spaces anywhere are ignored): the
    /// one grammar of shot.yaml's `face.select` and `extract --select`.
    public init(parsing text: String) throws {
        let t = text.filter { !$0.isWhitespace }
        if t == "largest" { self = .largest; return }
        if t.hasPrefix("track:"), let n = Int(t.dropFirst(6)), n >= 0 { self = .track(n); return }
        if t.hasPrefix("point:") {
            let body = t.dropFirst(6).filter { $0 != "[" && $0 != "]" }
            let parts = body.split(separator: ",").compactMap { Float($0) }
            if parts.count == 2, parts.allSatisfy(\.isFinite) { self = .point(x: parts[0], y: parts[1]); return }
        }
        throw ParseError(text: text)
    }

    public var description: String {
        switch self {
        case .largest: return "largest"
        case .track(let n): return "track:\(n)"
        case .point(let x, let y): return "point:[\(x),\(y)]"
        }
    }

    /// Index of the selected face in `faces` (with their track ids), or nil when none qualifies.
    public func select(_ faces: [DetectedFace], trackIDs: [Int]? = nil) -> Int? {
        guard !faces.isEmpty else { return nil }
        switch self {
        case .largest:
            return faces.indices.max { (faces[$0].box.area, -$0) < (faces[$1].box.area, -$1) }
        case .track(let id):
            return trackIDs?.firstIndex(of: id)
        case .point(let x, let y):
            // A face whose box contains the point wins; otherwise the nearest box centre.
            func distance(_ f: DetectedFace) -> Float {
                let inside = x >= f.box.x1 && x <= f.box.x2 && y >= f.box.y1 && y <= f.box.y2
                let d = f.box.center - SIMD2(x, y)
                return (inside ? 0 : 1e9) + (d * d).sum()
            }
            return faces.indices.min { (distance(faces[$0]), $0) < (distance(faces[$1]), $1) }
        }
    }
}
