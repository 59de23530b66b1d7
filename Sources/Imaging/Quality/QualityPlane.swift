import Foundation

/// One Float plane the quality metrics work on: luminance, its blurs and the per-pixel score maps.
/// Filters clamp at the edges (the nearest pixel repeats), so a map has a value at every pixel and
/// the mask alone decides which pixels count.
struct QualityPlane: Equatable {
    let width: Int
    let height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "\(values.count) values for a \(width)x\(height) plane")
        self.width = width
        self.height = height
        self.values = values
    }

    /// Rec.709 luminance Y = 0.2126 R + 0.7152 G + 0.0722 B of R, G, B clamped to [0, 1] (NaN -> 0),
    /// over the pixels of `box` (x0..<x1, y0..<y1) of `image`.
    init(luminanceOf image: ImageBuffer, box: QualityBox) {
        let r = image[channel: "R"], g = image[channel: "G"], b = image[channel: "B"]
        var values = [Float](repeating: 0, count: box.width * box.height)
        for y in 0..<box.height {
            let source = (y + box.y0) * image.width + box.x0, target = y * box.width
            for x in 0..<box.width {
                let i = source + x
                values[target + x] = 0.2126 * clampUnit(r[i]) + 0.7152 * clampUnit(g[i]) + 0.0722 * clampUnit(b[i])
            }
        }
        self.init(width: box.width, height: box.height, values: values)
    }

    /// Correlation with `rows` along x, then `columns` along y (odd lengths, centred), edges clamped.
    func filtered(rows: [Float], columns: [Float]) -> QualityPlane {
        QualityPlane(width: width, height: height, values: filterColumns(filterRows(values, rows), columns))
    }

    func filtered(_ kernel: [Float]) -> QualityPlane { filtered(rows: kernel, columns: kernel) }

    /// Element-wise combination with planes of the same size.
    func zip(_ other: QualityPlane, _ f: (Float, Float) -> Float) -> QualityPlane {
        precondition(width == other.width && height == other.height, "plane sizes differ")
        var out = [Float](repeating: 0, count: values.count)
        for i in 0..<values.count { out[i] = f(values[i], other.values[i]) }
        return QualityPlane(width: width, height: height, values: out)
    }

    func map(_ f: (Float) -> Float) -> QualityPlane { QualityPlane(width: width, height: height, values: values.map(f)) }

    /// Sum of weight * value in Double (weights as many as values).
    func weightedSum(_ weights: [Float]) -> Double {
        var total = 0.0
        for i in 0..<values.count where weights[i] > 0 { total += Double(weights[i]) * Double(values[i]) }
        return total
    }

    private func filterRows(_ source: [Float], _ kernel: [Float]) -> [Float] {
        let radius = kernel.count / 2
        var out = [Float](repeating: 0, count: source.count)
        var padded = [Float](repeating: 0, count: width + 2 * radius)
        for y in 0..<height {
            let row = y * width
            for i in 0..<padded.count { padded[i] = source[row + min(max(i - radius, 0), width - 1)] }
            for x in 0..<width {
                var sum: Float = 0
                for k in 0..<kernel.count { sum += kernel[k] * padded[x + k] }
                out[row + x] = sum
            }
        }
        return out
    }

    private func filterColumns(_ source: [Float], _ kernel: [Float]) -> [Float] {
        let radius = kernel.count / 2
        var out = [Float](repeating: 0, count: source.count)
        for y in 0..<height {
            let row = y * width
            for k in 0..<kernel.count {
                let weight = kernel[k], from = min(max(y + k - radius, 0), height - 1) * width
                for x in 0..<width { out[row + x] += weight * source[from + x] }
            }
        }
        return out
    }
}

/// A pixel rectangle x0..<x1, y0..<y1 of an image.
struct QualityBox: Equatable {
    let x0: Int, y0: Int, x1: Int, y1: Int
    var width: Int { x1 - x0 }
    var height: Int { y1 - y0 }

    init(x0: Int, y0: Int, x1: Int, y1: Int) {
        (self.x0, self.y0, self.x1, self.y1) = (x0, y0, x1, y1)
    }

    /// The smallest box holding every pixel with weight > 0, grown by `margin` (inside the image);
    /// nil when no pixel has weight.
    init?(weights: [Float], width: Int, height: Int, margin: Int) {
        var x0 = width, y0 = height, x1 = -1, y1 = -1
        for y in 0..<height {
            for x in 0..<width where weights[y * width + x] > 0 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        guard x1 >= 0 else { return nil }
        self.x0 = max(0, x0 - margin); self.y0 = max(0, y0 - margin)
        self.x1 = min(width, x1 + 1 + margin); self.y1 = min(height, y1 + 1 + margin)
    }

    /// The values of a full-image plane inside the box.
    func crop(_ plane: [Float], imageWidth: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(width * height)
        for y in y0..<y1 { out.append(contentsOf: plane[(y * imageWidth + x0)..<(y * imageWidth + x1)]) }
        return out
    }
}

/// Normalised Gaussian taps of standard deviation `sigma`, `2 * radius + 1` of them.
func gaussianTaps(sigma: Double, radius: Int) -> [Float] {
    let taps = (-radius...radius).map { k in exp(-Double(k * k) / (2 * sigma * sigma)) }
    let total = taps.reduce(0, +)
    return taps.map { Float($0 / total) }
}

@inline(__always) func clampUnit(_ v: Float) -> Float { v.isNaN ? 0 : min(max(v, 0), 1) }

extension ImageBuffer {
    /// Every channel blurred by a Gaussian of `sigma` (taps to 3 sigma, edges clamped): the soft
    /// result the detail ratio is meant to catch (used by the quality tests).
    func qualityBlurred(sigma: Double) -> ImageBuffer {
        let taps = gaussianTaps(sigma: sigma, radius: Int((3 * sigma).rounded(.up)))
        var out = self
        for c in 0..<planes.count {
            out.planes[c] = QualityPlane(width: width, height: height, values: planes[c]).filtered(taps).values
        }
        return out
    }
}
