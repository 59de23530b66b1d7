import Foundation
import Imaging

/// A rotated square region of an image in pixels: centre, side, rotation (radians, the roll
/// of the eye line; positive turns the crop's x axis towards image +y).
public struct FaceROI: Equatable, Sendable {
    public var cx: Double, cy: Double, side: Double, rotation: Double

    public init(cx: Double, cy: Double, side: Double, rotation: Double) {
        (self.cx, self.cy, self.side, self.rotation) = (cx, cy, side, rotation)
    }

    /// MediaPipe's rule for a detection: centre of the box, side 1.5 x its long side, rotated so
    /// the subject's right eye -> left eye runs along +x.
    public static func fromDetection(box: FaceBox, rightEye: SIMD2<Float>, leftEye: SIMD2<Float>, scale: Double = 1.5) -> FaceROI {
        let c = box.center
        return FaceROI(cx: Double(c.x), cy: Double(c.y), side: scale * Double(max(box.width, box.height)),
                       rotation: eyeLineRotation(rightEye, leftEye))
    }

    /// MediaPipe's tracking rule from a mesh: rotation from the outer eye corners (33 -> 263), the
    /// landmarks' bounding box in that rotated frame, squared on its long side and scaled 1.5.
    public static func fromLandmarks(_ marks: [SIMD3<Float>], scale: Double = 1.5) -> FaceROI {
        let r = marks[FaceMeshTopology.rightEyeOuter], l = marks[FaceMeshTopology.leftEyeOuter]
        let rot = eyeLineRotation(SIMD2(r.x, r.y), SIMD2(l.x, l.y))
        let cs = cos(rot), sn = sin(rot)
        var lo = SIMD2<Double>(.infinity, .infinity), hi = -lo
        for p in marks.prefix(FaceMeshTopology.pointCount) {
            // Into the rotated frame (inverse rotation).
            let q = SIMD2(cs * Double(p.x) + sn * Double(p.y), -sn * Double(p.x) + cs * Double(p.y))
            lo = pointwiseMin(lo, q)
            hi = pointwiseMax(hi, q)
        }
        let mid = (lo + hi) / 2
        let side = scale * max(hi.x - lo.x, hi.y - lo.y)
        return FaceROI(cx: cs * mid.x - sn * mid.y, cy: sn * mid.x + cs * mid.y, side: side, rotation: rot)
    }

    /// -atan2(-(y1 - y0), x1 - x0) wrapped to [-pi, pi).
    static func eyeLineRotation(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Double {
        var r = -atan2(-(Double(b.y) - Double(a.y)), Double(b.x) - Double(a.x))
        if r >= .pi { r -= 2 * .pi }
        if r < -.pi { r += 2 * .pi }
        return r
    }

    /// Crop -> image map for an `n`-pixel square crop: crop point (px, py) is image
    /// (cx, cy) + side * R(rotation) * (px/n - 0.5, py/n - 0.5).
    public func cropToImage(size n: Int) -> Imaging.AffineTransform {
        let cs = cos(rotation) * side / Double(n), sn = sin(rotation) * side / Double(n)
        return AffineTransform(a: cs, b: -sn, c: cx - (cs - sn) * Double(n) / 2,
                               d: sn, e: cs, f: cy - (sn + cs) * Double(n) / 2)
    }
}
