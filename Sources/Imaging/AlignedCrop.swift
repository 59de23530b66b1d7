/// The aligned face crop the networks see, made one way for every stage: `extract` stores it as the
/// face set's 16-bit PNG, `train` takes that file as variant 0, and `run` feeds it to the codec. A
/// model therefore swaps faces filtered exactly like the faces it learned from.
public enum AlignedCrop {
    /// Shrink factor (frame pixels per crop pixel) above which the box filter takes over.
    public static let areaAbove = 1.5

    /// The one filter rule. Shrinking by more than 1.5x: `area` (a box over each crop pixel's
    /// footprint), because a 2-tap kernel would skip frame pixels and alias skin pores and hair.
    /// Otherwise `bilinear`: its weights are never negative, so a crop pixel stays between its frame
    /// neighbours. Lanczos-3 is sharper, but its negative lobes ring around scene-linear highlights
    /// (a specular of 20 next to skin at 0.1 undershoots below 0, which the clamp then turns into a
    /// black halo). Bilinear also leaves pixels unchanged through an identity map (`train`'s variant 0).
    public static func filter(frameToCrop: AffineTransform) -> ResampleFilter {
        let cropPerFramePixel = abs(frameToCrop.determinant).squareRoot()
        return cropPerFramePixel * areaAbove < 1 ? .area : .bilinear
    }

    /// The `size` x `size` crop of `frame` through `frameToCrop` (frame pixel -> crop pixel,
    /// pixel-centre convention), in this order:
    /// 1. resample R, G, B in the encoding's resampling space (as the frame holds them for the
    ///    built-in spaces: scene-linear light for EXR plates, which is the physically right place
    ///    to average pixels; linear Rec.709 for OCIO spaces such as log plates) with
    ///    `filter(frameToCrop:)`; edge pixels repeat outside the frame. NaN under the crop reads as
    ///    0 and +-Inf as +-65504 first (a NaN would smear through the kernel); the frame itself is
    ///    never modified.
    /// 2. `encoding`: to the network's display encoding,
    /// 3. clamped to [0, 1] (by the encoding, before its transfer curve, which keeps [0, 1]).
    /// Nil when the map is singular; an all-zero crop when it misses the frame.
    public static func make(frame: ImageBuffer, frameToCrop: AffineTransform, size: Int, encoding: NetworkEncoding) -> ImageBuffer? {
        guard let cropToFrame = frameToCrop.inverse else { return nil }
        guard let region = CropFootprint(width: frame.width, height: frame.height, cropToImage: cropToFrame, size: size, margin: 4) else {
            return ImageBuffer(width: size, height: size, channels: ["R", "G", "B"])
        }
        var local = ImageBuffer(width: region.width, height: region.height, channels: ["R", "G", "B"])
        for (c, name) in ["R", "G", "B"].enumerated() {
            let src = frame[channel: name]
            for y in 0..<region.height {
                let row = (region.y0 + y) * frame.width + region.x0
                local.planes[c].replaceSubrange((y * region.width)..<((y + 1) * region.width), with: src[row..<(row + region.width)])
            }
        }
        local = encoding.prepareForResampling(local)
        let cropToLocal = AffineTransform.translation(-Double(region.x0), -Double(region.y0)).concatenating(after: cropToFrame)
        let crop = local.warpAffine(matrix: cropToLocal, width: size, height: size, filter: filter(frameToCrop: frameToCrop), edge: .clamp)
        return encoding.encodeResampled(crop)
    }
}

/// The pixels of an image (clipped to it) under a crop's footprint plus a margin.
public struct CropFootprint: Sendable {
    public let x0: Int, y0: Int, width: Int, height: Int

    /// Nil when the footprint is not finite or misses the `width` x `height` image.
    public init?(width imageWidth: Int, height imageHeight: Int, cropToImage: AffineTransform, size: Int, margin: Int) {
        let s = Double(size)
        let corners = [(0.0, 0.0), (s, 0), (0, s), (s, s)].map { cropToImage.apply($0.0, $0.1) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        guard (xs + ys).allSatisfy({ $0.isFinite && abs($0) < 1e9 }) else { return nil }
        let x0 = max(0, Int(xs.min()!.rounded(.down)) - margin), x1 = min(imageWidth, Int(xs.max()!.rounded(.up)) + margin)
        let y0 = max(0, Int(ys.min()!.rounded(.down)) - margin), y1 = min(imageHeight, Int(ys.max()!.rounded(.up)) + margin)
        guard x1 > x0, y1 > y0 else { return nil }
        (self.x0, self.y0, width, height) = (x0, y0, x1 - x0, y1 - y0)
    }
}
