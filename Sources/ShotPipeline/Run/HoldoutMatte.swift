import Foundation
import Imaging
import PlateIO

/// `mask.holdout`: a matte of occluders (a hand, a microphone, hair) for each frame, in the plate
/// buffer's pixels, that the compositor removes from the face mask: where it is 1 the plate stays
/// bit-identical. Values are clamped to [0, 1]; NaN counts as 0.
struct HoldoutMatte {
    let holdout: ShotConfig.Holdout
    let plate: PlateSequence
    /// EXR plates: the part the plate is read from (a channel of the plate lives there).
    let part: ExrPartSelector

    /// The matte of `frame` for a plate frame with `header` (data window = the buffer). Every failure
    /// (missing file, no such channel, another frame size) is a `PipelineError.frame` naming the file.
    func matte(frame: Int, plateHeader header: ExrHeader) throws -> [Float] {
        switch holdout {
        case let .plateChannel(name):
            let file = plate.file(frame: frame)
            let image = try read(frame, file) { try ExrImage.read(URL(fileURLWithPath: file), part: part, layer: nil).image }
            guard let c = image.channelIndex(name) else {
                throw PipelineError.frame(frame, "mask.holdout: \(file) has no channel \(name) (channels: \(image.channelNames.joined(separator: ", ")))")
            }
            return Self.clamped(image.planes[c])
        case let .sequence(url, channel):
            let pattern: SequencePattern
            do { pattern = try SequencePattern(url.path) } catch { throw PipelineError.frame(frame, "mask.holdout: \(error)") }
            let file = pattern.url(frame: frame)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw PipelineError.frame(frame, "mask.holdout: holdout frame \(file.path) is missing")
            }
            let (image, box): (ImageBuffer, PixelBox)
            if file.pathExtension.lowercased() == "exr" {
                let (exr, exrHeader) = try read(frame, file.path) { try ExrImage.read(file, layer: nil) }
                guard exrHeader.displayWindow == header.displayWindow else {
                    throw PipelineError.frame(frame, "mask.holdout: \(file.path) has display window \(exrHeader.displayWindow), the plate \(header.displayWindow)")
                }
                (image, box) = (exr, exrHeader.dataWindow)
            } else {
                let still = try read(frame, file.path) { try StillImage.read(file) }
                let display = header.displayWindow
                guard still.width == display.width, still.height == display.height else {
                    throw PipelineError.frame(frame, "mask.holdout: \(file.path) is \(still.width)x\(still.height), the plate's display window \(display.width)x\(display.height)")
                }
                (image, box) = (still, PixelBox(x: display.xMin, y: display.yMin, width: still.width, height: still.height))
            }
            let name = channel ?? (image.channelIndex("A") != nil ? "A" : "R")
            guard let c = image.channelIndex(name) else {
                throw PipelineError.frame(frame, "mask.holdout: \(file.path) has no channel \(name) (channels: \(image.channelNames.joined(separator: ", ")))")
            }
            return Self.clamped(Self.place(image.planes[c], from: box, into: header.dataWindow))
        }
    }

    private func read<T>(_ frame: Int, _ file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw PipelineError.frame(frame, "mask.holdout: \(error)") }
    }

    /// A plane covering `from` (absolute pixels) resampled onto `to`: pixels outside it are 0.
    static func place(_ plane: [Float], from: PixelBox, into to: PixelBox) -> [Float] {
        if from == to { return plane }
        var out = [Float](repeating: 0, count: to.width * to.height)
        let x0 = max(from.xMin, to.xMin), x1 = min(from.xMax, to.xMax)
        let y0 = max(from.yMin, to.yMin), y1 = min(from.yMax, to.yMax)
        guard x0 <= x1, y0 <= y1 else { return out }
        for y in y0...y1 {
            for x in x0...x1 { out[(y - to.yMin) * to.width + x - to.xMin] = plane[(y - from.yMin) * from.width + x - from.xMin] }
        }
        return out
    }

    static func clamped(_ plane: [Float]) -> [Float] { plane.map { $0.isNaN ? 0 : min(max($0, 0), 1) } }
}
