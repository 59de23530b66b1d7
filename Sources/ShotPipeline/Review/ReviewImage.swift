import Foundation
import Imaging
import PlateIO

/// How review images (contact sheet, review movie, quality scores) turn plate pixels into display
/// RGB in [0, 1]: by default what the networks see (`NetworkEncoding`: sRGB of linear Rec.709), or
/// an OCIO display and view of the shot's config (`colour.display` / `colour.view`).
public struct ReviewTransform: Sendable {
    public let encoding: NetworkEncoding
    let view: ColorProcessor?

    /// The network encoding of a built-in space.
    public init(_ space: ColorSpace) { self.init(encoding: NetworkEncoding(plate: space)) }

    public init(encoding: NetworkEncoding) {
        self.encoding = encoding
        view = nil
    }

    /// `space` through a display/view of its config; without a display and view, the encoding.
    public init(space: NamedColorSpace, display: String?, view: String?) throws {
        encoding = try NetworkEncoding(plate: space)
        guard display != nil || view != nil else {
            self.view = nil
            return
        }
        guard let config = space.config else {
            throw ColorError.processor("\(space.name) -> an OCIO display/view: no OCIO config (set colour.config or $OCIO)")
        }
        let display = display ?? config.defaultDisplay
        self.view = try config.displayProcessor(from: space.name, display: display, view: view ?? config.defaultView(display: display))
    }

    /// The review transform of a shot's frames in `space` (the plate's, or the outputs') through
    /// the shot's `colour` section.
    public init(_ config: ShotConfig, space: NamedColorSpace) throws {
        do { try self.init(space: space, display: config.colour.display, view: config.colour.view) } catch let error as ColorError {
            throw PipelineError.configuration("colour: \(error)")
        }
    }

    /// R, G, B in display RGB, clamped to [0, 1] (NaN -> 0, +-Inf -> the nearest bound).
    public func apply(_ image: ImageBuffer) -> ImageBuffer {
        guard let view else { return encoding.encode(image) }
        var rgb = image.selecting(["R", "G", "B"])
        for c in 0..<3 { rgb.planes[c] = rgb.planes[c].map { $0.isNaN ? 0 : min(max($0, -65504), 65504) } }
        view.apply(to: &rgb)
        for c in 0..<3 { rgb.planes[c] = rgb.planes[c].map { $0.isNaN ? 0 : min(max($0, 0), 1) } }
        return rgb
    }
}

/// Turns plate-space EXR frames into what review images show: the display window, in display RGB.
public enum ReviewImage {
    /// The review transform of a built-in space (the network encoding). Returns R, G, B only.
    public static func display(_ image: ImageBuffer, colorspace: ColorSpace) -> ImageBuffer {
        ReviewTransform(colorspace).apply(image)
    }

    /// The display window of a frame: the data window's pixels where they overlap it, black elsewhere
    /// (overscan is cropped, a smaller data window is padded).
    public static func displayWindow(_ image: ImageBuffer, header: ExrHeader) -> ImageBuffer {
        let data = header.dataWindow, display = header.displayWindow
        if data == display { return image }
        var out = ImageBuffer(width: display.width, height: display.height, channels: image.channelNames)
        let x0 = max(data.xMin, display.xMin), x1 = min(data.xMax, display.xMax)
        let y0 = max(data.yMin, display.yMin), y1 = min(data.yMax, display.yMax)
        guard x0 <= x1, y0 <= y1 else { return out }
        for c in 0..<image.planes.count {
            for y in y0...y1 {
                let source = (y - data.yMin) * image.width + (x0 - data.xMin)
                let target = (y - display.yMin) * out.width + (x0 - display.xMin)
                out.planes[c].replaceSubrange(target...(target + x1 - x0), with: image.planes[c][source...(source + x1 - x0)])
            }
        }
        return out
    }

    /// Reads one EXR frame's R, G, B (base layer of the first part) as a display-ready image of its
    /// display window.
    public static func read(_ url: URL, colorspace: ColorSpace) throws -> ImageBuffer {
        try read(url, through: ReviewTransform(colorspace))
    }

    public static func read(_ url: URL, through transform: ReviewTransform) throws -> ImageBuffer {
        let (image, header) = try ExrImage.read(url, layer: "")
        for name in ["R", "G", "B"] where image.channelIndex(name) == nil {
            throw ReviewError.frame(file: url.path, "no channels R, G, B (channels: \(image.channelNames.joined(separator: ", ")))")
        }
        return prepare(image, header: header, through: transform)
    }

    /// A patch frame (`output.mode: patch`: premultiplied R, G, B and its matte A) merged over its
    /// plate frame: the composite it stands for, as the display window in the plate's own values.
    /// `conversion` takes the plate to the patch's space (`output.colorspace`).
    public static func overPlate(_ patch: ImageBuffer, header: ExrHeader, plate: PlateFrame, conversion: ColorConversion) -> ImageBuffer {
        let top = displayWindow(patch.selecting(["R", "G", "B", "A"]), header: header)
        var under = displayWindow(plate.image.selecting(["R", "G", "B"]), header: plate.header)
        conversion.apply(to: &under)
        let alpha = top.planes[3]
        for c in 0..<3 {
            for i in 0..<under.pixelCount where alpha[i] != 0 || top.planes[c][i] != 0 {
                under.planes[c][i] = top.planes[c][i] + (1 - alpha[i]) * under.planes[c][i]
            }
        }
        return under
    }

    /// A frame's data window (R, G, B) -> its display window in display sRGB.
    public static func prepare(_ image: ImageBuffer, header: ExrHeader, through transform: ReviewTransform) -> ImageBuffer {
        transform.apply(displayWindow(image.selecting(["R", "G", "B"]), header: header))
    }

    /// The shot's output frames (`output.path`), as the review commands read them.
    public static func outputFrames(_ config: ShotConfig) throws -> SequencePattern {
        do { return try SequencePattern(config.output.path.path) } catch {
            throw ReviewError.input("\(config.source.path): output.path: \(error)")
        }
    }

    /// Copies `tile` into `canvas` with its top-left pixel at (x, y) (R, G, B; clipped).
    public static func paste(_ tile: ImageBuffer, into canvas: inout ImageBuffer, x: Int, y: Int) {
        let left = max(0, x), right = min(canvas.width, x + tile.width)
        guard left < right else { return }
        for name in ["R", "G", "B"] {
            guard let c = canvas.channelIndex(name), let t = tile.channelIndex(name) else { continue }
            for row in max(0, y)..<max(max(0, y), min(canvas.height, y + tile.height)) {
                let source = (row - y) * tile.width + (left - x)
                let target = row * canvas.width + left
                canvas.planes[c].replaceSubrange(target..<(target + right - left), with: tile.planes[t][source..<(source + right - left)])
            }
        }
    }
}

/// A review image could not be made; names the file (and frame) and what is wrong.
public enum ReviewError: Error, CustomStringConvertible, LocalizedError {
    case frame(file: String, String)
    case input(String)

    public var description: String {
        switch self {
        case let .frame(file, reason): return "\(file): \(reason)"
        case let .input(reason): return reason
        }
    }

    public var errorDescription: String? { description }
}
