import Foundation
import Imaging
import PlateIO

/// `plateswap contact-sheet`: chosen output frames in a grid, in display sRGB, each labelled with
/// its frame number, written as an 8-bit PNG.
public enum ContactSheet {
    public static let gap = 8
    public static let background: Float = 0.12
    /// Guards against a typo allocating gigabytes.
    public static let maximumPixels = 200_000_000

    public struct Options {
        public var frames: [Int]
        public var columns = 4
        /// Width of the whole sheet in pixels.
        public var width = 1920
        /// Output frames -> display RGB (the plate's space through the network encoding, or an OCIO view).
        public var transform: ReviewTransform

        public init(frames: [Int], columns: Int = 4, width: Int = 1920, transform: ReviewTransform = ReviewTransform(.linearRec709)) {
            self.frames = frames
            self.columns = columns
            self.width = width
            self.transform = transform
        }
    }

    /// Where each cell's image and label go.
    public struct Grid: Equatable {
        public let columns: Int, rows: Int
        public let cellWidth: Int, cellHeight: Int
        public let labelHeight: Int, textScale: Int
        public let width: Int, height: Int

        public init(count: Int, columns requested: Int, width: Int, aspect: Double) {
            columns = max(1, min(requested, count))
            rows = (count + columns - 1) / columns
            cellWidth = (width - gap * (columns + 1)) / columns
            cellHeight = max(1, Int((Double(cellWidth) / aspect).rounded()))
            textScale = max(1, cellWidth / 120)
            labelHeight = BitmapFont.size(of: "0", scale: textScale).height + gap / 2
            self.width = width
            height = gap + rows * (cellHeight + labelHeight + gap)
        }

        /// Top-left corner of cell `index`'s image; its label sits right below it.
        public func origin(_ index: Int) -> (x: Int, y: Int) {
            (gap + (index % columns) * (cellWidth + gap), gap + (index / columns) * (cellHeight + labelHeight + gap))
        }
    }

    /// Renders the sheet from frames of `pattern` (EXR, R/G/B of the base layer).
    public static func render(_ pattern: SequencePattern, _ options: Options) throws -> (image: ImageBuffer, grid: Grid) {
        guard !options.frames.isEmpty else { throw ReviewError.input("--frames selects no frames") }
        guard options.columns >= 1 else { throw ReviewError.input("--columns must be at least 1 (got \(options.columns))") }
        let columns = min(options.columns, options.frames.count)
        guard options.width >= columns * 16 + gap * (columns + 1), options.width <= 16384 else {
            throw ReviewError.input("--width \(options.width) must be between \(columns * 16 + gap * (columns + 1)) and 16384 for \(columns) column(s)")
        }
        var grid: Grid?
        var sheet = ImageBuffer(width: 0, height: 0, channels: ["R", "G", "B"])
        for (index, frame) in options.frames.enumerated() {
            let url = pattern.url(frame: frame)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ReviewError.frame(file: url.path, "frame \(frame) does not exist")
            }
            let image = try ReviewImage.read(url, through: options.transform)
            if grid == nil {
                let layout = Grid(count: options.frames.count, columns: columns, width: options.width,
                                  aspect: Double(image.width) / Double(image.height))
                guard layout.width * layout.height <= maximumPixels else {
                    throw ReviewError.input("the sheet would be \(layout.width)x\(layout.height) pixels; choose fewer frames or a smaller --width")
                }
                grid = layout
                sheet = ImageBuffer(width: layout.width, height: layout.height, channels: ["R", "G", "B"], fill: background)
            }
            let layout = grid!
            let (x, y) = layout.origin(index)
            ReviewImage.paste(image.resized(width: layout.cellWidth, height: layout.cellHeight, filter: .area), into: &sheet, x: x, y: y)
            BitmapFont.draw(String(frame), into: &sheet, x: x, y: y + layout.cellHeight + gap / 4, scale: layout.textScale)
        }
        return (sheet, grid!)
    }

    /// Renders and writes the sheet as an 8-bit sRGB PNG (atomically).
    @discardableResult
    public static func write(_ pattern: SequencePattern, _ options: Options, to url: URL) throws -> Grid {
        let (image, grid) = try render(pattern, options)
        try PNGFile.write(image, bitDepth: 8, to: url)
        return grid
    }

    /// The one EXR sequence in a folder (e.g. a shot's output folder).
    public static func sequence(in folder: URL) throws -> SequencePattern {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw ReviewError.input("\(folder.path): cannot list the folder: \(error.localizedDescription)")
        }
        let patterns = Set(names.filter { $0.lowercased().hasSuffix(".exr") && !$0.hasPrefix(".") }.compactMap {
            SequencePattern.detect(fromFile: folder.appendingPathComponent($0))?.pattern
        })
        guard patterns.count == 1, let pattern = patterns.first else {
            throw ReviewError.input(patterns.isEmpty
                ? "\(folder.path): no numbered EXR frames"
                : "\(folder.path): several EXR sequences (\(patterns.map { ($0.pattern as NSString).lastPathComponent }.sorted().joined(separator: ", "))); pass the shot.yaml instead")
        }
        return pattern
    }
}
