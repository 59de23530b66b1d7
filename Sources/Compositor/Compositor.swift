import Imaging
import Support

/// Colour transfer, mask shaping and the linear-light difference paste-back of a swapped face crop.
///
/// The per-face flow around the networks:
/// 1. `networkCrop`: plate -> `AlignedCrop` (resampled, `NetworkEncoding`, [0, 1]) = codec input.
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

    /// The codec input for a face: `AlignedCrop` of the plate through `plateToCrop` (plate pixel
    /// -> crop pixel, pixel-centre convention), the same crop `extract` stores for a face set.
    public func networkCrop(plate: ImageBuffer, plateToCrop: AffineTransform, size: Int) -> ImageBuffer? {
        AlignedCrop.make(frame: plate, frameToCrop: plateToCrop, size: size, encoding: encoding)
    }

    /// Blends a decoded swap into the plate. `codecInput` is what `networkCrop` returned for this
    /// face, `swapped` the decoder's output (same size), `mask` the face mask at crop size.
    /// `holdout` (plate size, [0, 1]) is removed from the mask: `mask * (1 - holdout)`, so a plate
    /// pixel under a holdout of 1 is never touched.
    /// Returns the composited plate, and accumulates the applied mask (max) and unblended swap.
    public func composite(plate: inout ImageBuffer, plateToCrop: AffineTransform, codecInput: ImageBuffer,
                          swapped: ImageBuffer, mask: [Float], holdout: [Float]? = nil, layers: inout SwapLayers) {
        let size = swapped.width
        precondition(swapped.height == size && codecInput.width == size && codecInput.height == size && mask.count == size * size,
                     "swap, codec input and mask must share the crop size")
        guard let cropToPlate = plateToCrop.inverse else { return }
        let shaped = MaskShaping.shape(mask, width: size, height: size, erode: maskErode, blur: maskBlur)
        let clampedSwap = swapped.clampedToUnit()
        let matched = colorTransfer.apply(to: clampedSwap, reference: codecInput, mask: shaped)
        let swapLinear = encoding.decode(matched)
        guard let region = CropFootprint(width: plate.width, height: plate.height, cropToImage: cropToPlate, size: size, margin: 1) else { return }
        precondition(holdout.map { $0.count == plate.pixelCount } ?? true, "the holdout matte must cover the plate")
        PasteBack(encoding: encoding, plateToCrop: plateToCrop, size: size, mask: shaped, swap: swapLinear, holdout: holdout ?? [])
            .run(plate: &plate, region: region, layers: &layers)
    }
}

/// Plate-sized side outputs of a frame: the mask applied (the matte, `swap.A`) and the unblended swap
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
