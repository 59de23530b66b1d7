import Compositor
import Foundation
import Imaging
import PlateIO
import Support

/// Swaps one frame: read the plate, find its face, crop, swap, composite, write the output EXR.
struct FrameRenderer {
    let config: ShotConfig
    let plate: PlateSequence
    let outputs: SequencePattern
    let compositor: Compositor
    /// Plate space -> output space (identity unless output.colorspace differs from the plate's).
    let conversion: ColorConversion
    let faces: FaceProvider
    let swapper: FaceSwapper
    let cropSize: Int
    let configHash: String
    /// `mask.holdout`, when the shot has one.
    let holdout: HoldoutMatte?
    /// `blend.follow_plate`, when on.
    let follower: FeatureFollower?

    enum Outcome { case swapped, noFace }

    /// The EXR attributes plateswap adds to every output frame.
    /// The colour-space tags (`PlateColorRules.outputAttributes`) say what the pixels are in.
    var attributes: [String: ExrAttribute] {
        ["plateswap:version": .string(PlateswapVersion.string),
         "plateswap:model": .string(swapper.identity),
         "plateswap:config_hash": .string(configHash)].merging(PlateColorRules.outputAttributes(conversion.target)) { a, _ in a }
    }

    func outputURL(frame: Int) -> URL { outputs.url(frame: frame) }

    /// True when the output frame exists and was written with this configuration.
    func isDone(frame: Int) -> Bool {
        guard let header = try? ExrImage.headers(of: outputURL(frame: frame)).first else { return false }
        return header.attributes["plateswap:config_hash"] == .string(configHash)
    }

    func render(frame: Int, clock: inout StageClock) throws -> Outcome {
        // What cannot be read here is the frame's input: `on_error: skip` passes over it.
        // A full frame writes every part, layer and channel of an EXR plate through.
        let (read, held) = try clock.time("read") { () throws -> (PlateFrame, [Float]?) in
            do {
                let read = try plate.read(frame: frame, everything: config.output.mode == .full)
                return (read, try holdout?.matte(frame: frame, plateHeader: read.header))
            } catch {
                throw UnreadableInput(error: error)
            }
        }
        let (image, header) = (read.image, read.header)
        let origin = (x: header.dataWindow.xMin, y: header.dataWindow.yMin)
        let found = try clock.time("faces") { try faces.faces(frame: frame, plate: image, origin: origin, cropSize: cropSize) }

        var result = image.selecting(image.channelIndex("A") == nil ? ["R", "G", "B"] : ["R", "G", "B", "A"])
        var layers = SwapLayers(plate: image, keepRaw: config.output.layers.contains(.raw))
        for face in found {
            guard let crop = clock.time("crop", { compositor.networkCrop(plate: image, plateToCrop: face.plateToCrop, size: cropSize) })
            else { continue }
            let drawn = try swapper.swapWithMask(crop, clock: &clock)
            var swapped = drawn.image
            guard swapped.width == cropSize, swapped.height == cropSize else {
                throw PipelineError.frame(frame, "the swap model returned \(swapped.width)x\(swapped.height), expected \(cropSize)x\(cropSize)")
            }
            // The learned mask travels as a fourth channel, so that follow_plate moves it with the face.
            if config.blend.learnedMask, let learned = drawn.mask {
                swapped = ImageBuffer(width: cropSize, height: cropSize, channels: ["R", "G", "B", "learned"],
                                      planes: swapped.selecting(["R", "G", "B"]).planes + [learned])
            }
            if let follower, let tracked = face.cropLandmarks {
                swapped = clock.time("follow") { follower.apply(frame: frame, plateCrop: crop, swapped: swapped, tracked: tracked) }
            }
            var mask = face.mask
            if let index = swapped.channelIndex("learned") {
                mask = zip(mask, swapped.planes[index]).map { $0 * min(max($1, 0), 1) }
                swapped = swapped.selecting(["R", "G", "B"])
            }
            clock.time("composite") {
                compositor.composite(plate: &result, plateToCrop: face.plateToCrop, codecInput: crop, swapped: swapped,
                                     mask: mask, holdout: held, layers: &layers)
            }
        }
        conversion.apply(to: &result)
        if var raw = layers.raw {
            conversion.apply(to: &raw)
            layers.raw = raw
        }
        // A patch is the difference to the plate as the output's space shows it.
        var under = image
        if config.output.mode == .patch { conversion.apply(to: &under) }
        let output = clock.time("composite") {
            OutputFrame.make(plate: under, composite: result, layers: layers, header: header, output: config.output)
        }
        var outHeader = output.header
        outHeader.attributes.merge(attributes) { _, new in new }
        // Converted to a space without primaries (a log encoding): the plate's no longer apply.
        if !conversion.isIdentity, PlateColorRules.outputChromaticities(conversion.target) == nil {
            outHeader.attributes["chromaticities"] = nil
        }
        let pixelType: ExrPixelType = config.output.pixelType == .half ? .half : .float
        let parts = clock.time("composite") { OutputFrame.parts(output: (output.image, outHeader), plate: read, pixelType: pixelType) }
        try clock.time("write") {
            AtomicFile.removeTemporaries(beside: outputURL(frame: frame))
            if parts.count == 1, parts[0].header.tiles == nil {
                try ExrWriter.write(parts[0].image, header: parts[0].header, to: outputURL(frame: frame), compression: config.output.compression,
                                    pixelType: pixelType, channelTypes: parts[0].channelTypes, uintPlanes: parts[0].uintPlanes)
            } else {
                try ExrWriter.writeParts(parts, to: outputURL(frame: frame), compression: config.output.compression, pixelType: pixelType)
            }
        }
        return found.isEmpty ? .noFace : .swapped
    }
}

/// A frame whose input (the plate frame, or its `mask.holdout` matte) could not be read: the
/// failure `on_error: skip` is told to pass over.
struct UnreadableInput: Error, CustomStringConvertible {
    let error: Error
    var reason: String { (error as? PipelineError)?.reason ?? "\(error)" }
    var description: String { "\(error)" }
}
