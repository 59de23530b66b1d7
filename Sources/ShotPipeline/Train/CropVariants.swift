import Foundation
import Imaging
import Neural

/// The augmented copies of each aligned crop that are encoded once and cached: the crop itself,
/// its mirror image, and a few small random similarity warps (rotation, scale, shift). Each
/// variant's warp depends only on the face's file name and the variant index, so re-encoding a
/// face reproduces its variants exactly.
public struct CropVariants: Equatable, Sendable {
    public var flip = true
    /// Randomly warped copies per face (alternately of the crop and of its mirror image).
    public var warped = 2
    public var maxRotationDegrees = 5.0
    public var maxScale = 0.05
    /// Largest shift, as a fraction of the crop size.
    public var maxShift = 0.03

    public init(flip: Bool = true, warped: Int = 2) {
        self.flip = flip
        self.warped = warped
    }

    public var count: Int { 1 + (flip ? 1 : 0) + warped }

    /// Names the settings (part of the latent cache key).
    public var key: String { "flip=\(flip) warped=\(warped) rot=\(maxRotationDegrees) scale=\(maxScale) shift=\(maxShift)" }

    /// Output -> input pixel map of variant `index` for a `size` crop read from an `inputSize` file.
    public func matrix(index: Int, face: String, size: Int, inputSize: Int) -> Imaging.AffineTransform {
        precondition(index >= 0 && index < count, "variant \(index) of \(count)")
        let s = Double(size), centre = s / 2
        let mirror = Imaging.AffineTransform(a: -1, b: 0, c: s, d: 0, e: 1, f: 0)
        let toInput = Imaging.AffineTransform.scale(Double(inputSize) / s, Double(inputSize) / s)
        if index == 0 { return toInput }
        if flip && index == 1 { return toInput.concatenating(after: mirror) }
        let k = index - (flip ? 2 : 1)
        var random = SeededRandom(seed: CropVariants.seed(face: face, variant: k))
        let angle = Double(random.uniform(-1, 1)) * maxRotationDegrees * .pi / 180
        let scale = 1 + Double(random.uniform(-1, 1)) * maxScale
        let shift = (Double(random.uniform(-1, 1)) * maxShift * s, Double(random.uniform(-1, 1)) * maxShift * s)
        // Output p shows the crop at centre + R(angle) (p - centre - shift) / scale.
        var m = Imaging.AffineTransform.translation(centre, centre)
            .concatenating(after: .rotation(angle))
            .concatenating(after: .scale(1 / scale, 1 / scale))
            .concatenating(after: .translation(-centre - shift.0, -centre - shift.1))
        if flip && k % 2 == 1 { m = m.concatenating(after: mirror) }
        return toInput.concatenating(after: m)
    }

    /// FNV-1a of the face name, mixed with the variant index.
    static func seed(face: String, variant: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in face.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash ^ (UInt64(variant + 1) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Renders variant `index` of a crop (R, G, B) and its mask (one plane) at `size`. With a face
    /// set extracted at `size` (as it should be), variant 0 is the stored crop bit for bit: the
    /// identity bilinear warp reads each pixel with weight 1. Any other size resamples it again.
    public func render(index: Int, face: String, crop: ImageBuffer, mask: ImageBuffer, size: Int) -> (crop: ImageBuffer, mask: ImageBuffer) {
        (render(index: index, face: face, image: crop, size: size), render(index: index, face: face, image: mask, size: size))
    }

    /// Variant `index` of one image (any channels) at `size`: the warp `render` gives the crop.
    public func render(index: Int, face: String, image: ImageBuffer, size: Int) -> ImageBuffer {
        let m = matrix(index: index, face: face, size: size, inputSize: image.width)
        // Shrinking a larger crop needs the area filter; same size or warps only, bilinear.
        let filter: ResampleFilter = image.width > size * 3 / 2 ? .area : .bilinear
        return image.warpAffine(matrix: m, width: size, height: size, filter: filter, edge: .clamp)
    }
}
