/// Image-quality scores of a face swap against a reference, inside a mask: PSNR, SSIM, detail ratio
/// and gradient-magnitude similarity. Inputs are display-encoded RGB (nominal [0, 1]; values are
/// clamped to it, NaN counts 0) of the same size; the mask is a per-pixel weight in [0, 1].
///
///     let scores = FaceQuality.measure(output: swapped, reference: plate, mask: swapped[channel: "swap.A"])
///
/// PSNR is over R, G and B; the other three on luminance Y = 0.2126 R + 0.7152 G + 0.0722 B.
/// Filters see pixels outside the mask (clamped at the image edges), but only pixels with weight
/// count, so differences where the mask is 0 never change a score.
public enum FaceQuality {
    /// Farthest reach of any filter: pixels further than this from the mask do not matter.
    static let reach = max(StructuralSimilarity.window.count, DetailEnergy.coarse.count, 3) / 2

    /// nil when the mask has no weight (no face). Traps when the sizes differ or an image lacks
    /// R, G or B (programming errors).
    public static func measure(output: ImageBuffer, reference: ImageBuffer, mask: [Float]) -> FaceQualityScores? {
        precondition(output.width == reference.width && output.height == reference.height,
                     "output \(output.width)x\(output.height) and reference \(reference.width)x\(reference.height) differ in size")
        precondition(mask.count == output.pixelCount, "mask holds \(mask.count) values for \(output.width)x\(output.height)")
        let weights = mask.map(clampUnit)
        guard let box = QualityBox(weights: weights, width: output.width, height: output.height, margin: reach) else {
            return nil
        }
        let w = box.crop(weights, imageWidth: output.width)
        let weight = w.reduce(0.0) { $0 + Double($1) }
        let yOut = QualityPlane(luminanceOf: output, box: box), yRef = QualityPlane(luminanceOf: reference, box: box)
        return FaceQualityScores(
            weight: weight,
            mse: squaredError(output, reference, box: box, weights: w) / weight,
            outputDetail: DetailEnergy.map(yOut).weightedSum(w) / weight,
            referenceDetail: DetailEnergy.map(yRef).weightedSum(w) / weight,
            ssimSum: StructuralSimilarity.map(yOut, yRef).weightedSum(w),
            gmsSum: GradientMagnitudeSimilarity.map(yOut, yRef).weightedSum(w))
    }

    /// Sum over the box of weight * mean over R, G, B of the squared difference.
    static func squaredError(_ a: ImageBuffer, _ b: ImageBuffer, box: QualityBox, weights: [Float]) -> Double {
        var total = 0.0
        for name in ["R", "G", "B"] {
            let p = box.crop(a[channel: name], imageWidth: a.width), q = box.crop(b[channel: name], imageWidth: b.width)
            for i in 0..<weights.count where weights[i] > 0 {
                let d = Double(clampUnit(p[i]) - clampUnit(q[i]))
                total += Double(weights[i]) * d * d
            }
        }
        return total / 3
    }
}
