import Imaging
import Support

/// Colour transfer, mask shaping and the linear-light difference paste-back of a swapped face crop.
///
/// The per-face flow around the networks:
/// 1. `networkCrop`: plate -> aligned crop -> `NetworkEncoding` (sRGB-like, [0, 1]) = codec input.
/// 2. (codec encode, swap, codec decode: elsewhere)
/// 3. `composite`: colour-match the decoded swap to the codec input inside the mask, decode it to
///    the plate's linear space, and paste it back as a *difference*:
///    `out = plate + mask * (swap - roundTrip(plate))`. Where the mask is 0 the plate pixel is
///    copied untouched (bit-identical, NaN/Inf and values above 1 included). Inside the mask the
///    part of the plate the codec cannot represent (highlights above 1, negatives) is kept, and
///    only the visible part is replaced. A non-finite plate pixel under the mask takes the swap.
public struct Compositor: Sendable {
    public var encoding: NetworkEncoding
    public var colorTransfer: ColorTransfer
    /// Crop pixels; negative dilates.
    public var maskErode: Int
    public var maskBlur: Int

    public init(encoding: NetworkEncoding, colorTransfer: ColorTransfer = .rct, maskErode: Int = 4, maskBlur: Int = 12) {
        self.encoding = encoding
        self.colorTransfer = colorTransfer
        self.maskErode = maskErode
        self.maskBlur = maskBlur
    }

    /// The codec input for a face: the plate resampled through `plateToCrop` (plate pixel -> crop
    /// pixel, pixel-centre convention) into `size` x `size`, then network-encoded.
    public func networkCrop(plate: ImageBuffer, plateToCrop: AffineTransform, size: Int) -> ImageBuffer? {
        guard let cropToPlate = plateToCrop.inverse else { return nil }
        // Only the plate region under the crop is cleaned of NaN/Inf before resampling (a NaN would
        // smear through the filter kernel); the plate itself is never modified.
        guard let region = PlateRegion(plate: plate, cropToPlate: cropToPlate, size: size, margin: 4) else {
            return ImageBuffer(width: size, height: size, channels: ["R", "G", "B"])
        }
        var local = ImageBuffer(width: region.width, height: region.height, channels: ["R", "G", "B"])
        for (c, name) in ["R", "G", "B"].enumerated() {
            let src = plate[channel: name]
            for y in 0..<region.height {
                let row = (region.y0 + y) * plate.width + region.x0
                for x in 0..<region.width {
                    let v = src[row + x]
                    local.planes[c][y * region.width + x] = v.isNaN ? 0 : min(max(v, -65504), 65504)
                }
            }
        }
        let cropToLocal = AffineTransform.translation(-Double(region.x0), -Double(region.y0)).concatenating(after: cropToPlate)
        let scale = (abs(plateToCrop.determinant)).squareRoot()
        let filter: ResampleFilter = scale < 0.7 ? .area : .bilinear
        let crop = local.warpAffine(matrix: cropToLocal, width: size, height: size, filter: filter, edge: .clamp)
        return encoding.encode(crop)
    }

    /// Blends a decoded swap into the plate. `codecInput` is what `networkCrop` returned for this
    /// face, `swapped` the decoder's output (same size), `mask` the face mask at crop size.
    /// Returns the composited plate, and accumulates the applied mask (max) and unblended swap.
    public func composite(plate: inout ImageBuffer, plateToCrop: AffineTransform, codecInput: ImageBuffer,
                          swapped: ImageBuffer, mask: [Float], layers: inout SwapLayers) {
        let size = swapped.width
        precondition(swapped.height == size && codecInput.width == size && codecInput.height == size && mask.count == size * size,
                     "swap, codec input and mask must share the crop size")
        guard let cropToPlate = plateToCrop.inverse else { return }
        let shaped = MaskShaping.shape(mask, width: size, height: size, erode: maskErode, blur: maskBlur)
        let clampedSwap = swapped.clampedToUnit()
        let matched = colorTransfer.apply(to: clampedSwap, reference: codecInput, mask: shaped)
        let swapLinear = encoding.decode(matched)
        guard let region = PlateRegion(plate: plate, cropToPlate: cropToPlate, size: size, margin: 1) else { return }
        PasteBack(encoding: encoding, plateToCrop: plateToCrop, size: size, mask: shaped, swap: swapLinear)
            .run(plate: &plate, region: region, layers: &layers)
    }
}

/// Plate-sized side outputs of a frame: the mask applied (`swap.mask`) and the unblended swap
/// (`swap.R/G/B`, plate values outside every face crop).
public struct SwapLayers: Sendable {
    public var mask: [Float]
    public var raw: ImageBuffer?

    public init(plate: ImageBuffer, keepRaw: Bool) {
        mask = [Float](repeating: 0, count: plate.pixelCount)
        raw = keepRaw ? plate.selecting(["R", "G", "B"]) : nil
    }
}

extension ImageBuffer {
    func clampedToUnit() -> ImageBuffer {
        var out = selecting(["R", "G", "B"])
        for c in 0..<3 { out.planes[c] = out.planes[c].map { $0.isNaN ? 0 : min(max($0, 0), 1) } }
        return out
    }
}

/// The plate pixels (clipped to the buffer) under a crop's footprint plus a margin.
struct PlateRegion {
    let x0: Int, y0: Int, width: Int, height: Int

    init?(plate: ImageBuffer, cropToPlate: AffineTransform, size: Int, margin: Int) {
        let s = Double(size)
        let corners = [(0.0, 0.0), (s, 0), (0, s), (s, s)].map { cropToPlate.apply($0.0, $0.1) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        guard xs.allSatisfy(\.isFinite), ys.allSatisfy(\.isFinite) else { return nil }
        let x0 = max(0, Int(xs.min()!.rounded(.down)) - margin), x1 = min(plate.width, Int(xs.max()!.rounded(.up)) + margin)
        let y0 = max(0, Int(ys.min()!.rounded(.down)) - margin), y1 = min(plate.height, Int(ys.max()!.rounded(.up)) + margin)
        guard x1 > x0, y1 > y0 else { return nil }
        (self.x0, self.y0, width, height) = (x0, y0, x1 - x0, y1 - y0)
    }
}
