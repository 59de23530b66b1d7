import Foundation
import Imaging
import PlateIO
import Support

/// `output.preview`: an H.264 movie with the plate (left) and the result (right) side by side, each
/// labelled with the frame number, in display sRGB (see `ReviewImage.display`). Written after a full
/// run, by `plateswap preview`, and by a farm job's `preview` step; the file appears only when complete.
public enum PreviewMovie {
    /// Each half is at most this wide (a 4K plate gives a 3840-pixel-wide movie).
    public static let maximumHalfWidth = 1920

    public struct Layout: Equatable {
        public let halfWidth: Int
        public let halfHeight: Int
        /// Font pixel size of the labels.
        public let textScale: Int
        public var width: Int { 2 * halfWidth }
        public var height: Int { halfHeight }
        /// Top-left corner of each half's label, relative to the half.
        public var labelOrigin: Int { textScale * 2 }

        /// Halves as large as the display window, shrunk to `maximumHalfWidth` (even sizes).
        public init(displayWidth: Int, displayHeight: Int) {
            let scale = min(1, Double(maximumHalfWidth) / Double(displayWidth))
            halfWidth = scale < 1 ? max(2, Int((Double(displayWidth) * scale / 2).rounded()) * 2) : displayWidth
            halfHeight = scale < 1 ? max(2, Int((Double(displayHeight) * scale / 2).rounded()) * 2) : displayHeight
            textScale = max(2, halfHeight / 200)
        }

        public func label(frame: Int, side: String) -> String { "\(frame) \(side)" }
    }

    public struct Summary: Equatable {
        public var frames: [Int] = []
        /// Frames whose output was missing or unreadable (shown black on the right, labelled MISSING).
        public var missing: [Int] = []
        public var layout: Layout?
    }

    /// One movie frame: `plate` and `result` are display images (any size; resized to the layout).
    public static func compose(plate: ImageBuffer, result: ImageBuffer?, frame: Int, layout: Layout) -> ImageBuffer {
        var canvas = ImageBuffer(width: layout.width, height: layout.height, channels: ["R", "G", "B"])
        func fit(_ image: ImageBuffer) -> ImageBuffer {
            image.width == layout.halfWidth && image.height == layout.halfHeight
                ? image : image.resized(width: layout.halfWidth, height: layout.halfHeight, filter: .area)
        }
        ReviewImage.paste(fit(plate), into: &canvas, x: 0, y: 0)
        if let result { ReviewImage.paste(fit(result), into: &canvas, x: layout.halfWidth, y: 0) }
        let margin = layout.labelOrigin
        BitmapFont.draw(layout.label(frame: frame, side: "PLATE"), into: &canvas, x: margin, y: margin, scale: layout.textScale)
        BitmapFont.draw(layout.label(frame: frame, side: result == nil ? "MISSING" : "SWAP"), into: &canvas,
                        x: layout.halfWidth + margin, y: margin, scale: layout.textScale)
        return canvas
    }

    /// Writes the shot's preview movie (`output.preview`, or `url`) from its plate and output frames.
    /// `frames`: default every frame of the shot. A missing or unreadable plate frame is an error; a
    /// missing output frame shows as black and is listed in the summary. Frame rate: the plate's.
    @discardableResult
    public static func write(_ config: ShotConfig, frames: [Int]? = nil, to url: URL? = nil) throws -> Summary {
        guard let target = url ?? config.output.preview else {
            throw ReviewError.input("\(config.source.path): output.preview is not set (or pass an output path)")
        }
        try InputGuard.checkShot(config, extra: [InputGuard.File(target, url == nil ? "output.preview" : "the preview movie")])
        let plate = try PlateSequence(config)
        let transform = try ReviewTransform(config, space: plate.colorSpace)
        let outputTransform = try ReviewTransform(config, space: config.outputSpace(plate: plate))
        // A patch merges over the plate as the output's space shows it.
        let toOutput = config.output.mode == .patch ? try ColorConversion(from: plate.colorSpace, to: config.outputSpace(plate: plate)) : nil
        let outputs = try ReviewImage.outputFrames(config)
        let list = frames ?? plate.frames
        guard !list.isEmpty else { throw ReviewError.input("no frames for the preview") }
        var summary = Summary()
        var writer: PreviewWriter?
        var layout: Layout?
        let progress = Progress("\(config.shot) preview", total: list.count)
        for frame in list {
            let source = try plate.read(frame: frame)
            let plateImage = ReviewImage.prepare(source.image, header: source.header, through: transform)
            if writer == nil {
                let shape = Layout(displayWidth: plateImage.width, displayHeight: plateImage.height)
                let (numerator, denominator) = SourceFrame.rational(plate.frameRate)
                writer = try PreviewWriter(url: target, width: shape.width, height: shape.height,
                                           frameRate: (Int(numerator), Int(denominator)))
                layout = shape
            }
            var result: ImageBuffer?
            do {
                let url = outputs.url(frame: frame)
                if config.output.mode == .patch {
                    // A patch shows merged over its plate frame: the composite it stands for.
                    let (patch, header) = try ExrImage.read(url, layer: "")
                    for name in ["R", "G", "B", "A"] where patch.channelIndex(name) == nil {
                        throw ReviewError.frame(file: url.path, "a patch needs R, G, B and A (channels: \(patch.channelNames.joined(separator: ", ")))")
                    }
                    result = outputTransform.apply(ReviewImage.overPlate(patch, header: header, plate: source, conversion: toOutput!))
                } else {
                    result = try ReviewImage.read(url, through: outputTransform)
                }
            } catch {
                Log.warning("preview frame \(frame): \(error)")
                summary.missing.append(frame)
            }
            try writer!.append(compose(plate: plateImage, result: result, frame: frame, layout: layout!))
            summary.frames.append(frame)
            progress.advance(detail: "frame \(frame)")
        }
        try writer!.finish()
        summary.layout = layout
        return summary
    }
}
