import Foundation
import Imaging
import PlateIO
import Support

/// `plateswap quality`: how close a shot's written output is to its plate inside the swap mask
/// (PSNR, SSIM, detail ratio, gradient similarity; see `FaceQuality`). Both are read and shown as
/// the review movie shows them (display window, display sRGB), the mask is the output's matte `swap.A`.
/// With the actor's own held-out footage as the plate (an identity swapped with itself), this is
/// the swap's fidelity.
public enum ShotQuality {
    public struct FrameScores: Equatable {
        public let frame: Int
        public let scores: FaceQualityScores
    }

    public struct Report: Equatable {
        public let shot: String
        /// Frames measured, in order.
        public var measured: [FrameScores] = []
        /// Output frames whose mask is empty (no face was swapped).
        public var skipped: [Int] = []
        /// Frames without an output file.
        public var missing: [Int] = []
        /// Frames whose plate or output could not be read, with the reason.
        public var failed: [Failure] = []

        /// Every measured frame's pixels pooled, each weighted by its mask (`FaceQualityScores.pooled`).
        public var total: FaceQualityScores? { FaceQualityScores.pooled(measured.map(\.scores)) }
    }

    public struct Failure: Equatable {
        public let frame: Int
        public let reason: String
    }

    /// Measures `frames` (default: every frame of the shot). Throws for a bad configuration (no mask
    /// layer in `output.layers`, bad paths); frames that cannot be read are listed, not thrown.
    public static func measure(_ config: ShotConfig, frames: [Int]? = nil) throws -> Report {
        guard let matte = OutputFrame.matteChannel(config.output) else {
            throw PipelineError.configuration("\(config.source.path): output.layers has no mask layer (and output.matte_in_alpha is off): quality measures inside the matte swap.A")
        }
        let plate = try PlateSequence(config)
        let outputs = try ReviewImage.outputFrames(config)
        let list = frames ?? plate.frames
        // Output and plate through the network encoding of each one's space (the same unless output.colorspace differs).
        let transforms: (output: ReviewTransform, plate: ReviewTransform)
        let patch: ColorConversion?
        do {
            transforms = (ReviewTransform(encoding: try NetworkEncoding(plate: config.outputSpace(plate: plate))), ReviewTransform(encoding: plate.encoding))
            patch = config.output.mode == .patch ? try ColorConversion(from: plate.colorSpace, to: config.outputSpace(plate: plate)) : nil
        } catch {
            throw PipelineError.configuration("output.colorspace: \(error)")
        }
        var report = Report(shot: config.shot)
        let progress = Progress("\(config.shot) quality", total: list.count)
        for frame in list {
            defer { progress.advance(detail: "frame \(frame)") }
            let url = outputs.url(frame: frame)
            guard FileManager.default.fileExists(atPath: url.path) else {
                report.missing.append(frame)
                continue
            }
            do {
                if let scores = try measure(frame: frame, output: url, matte: matte, patch: patch, plate: plate, transforms: transforms) {
                    report.measured.append(FrameScores(frame: frame, scores: scores))
                } else {
                    report.skipped.append(frame)
                }
            } catch {
                Log.warning("quality frame \(frame): \(error)")
                report.failed.append(Failure(frame: frame, reason: "\(error)"))
            }
        }
        return report
    }

    /// One frame's scores; nil when its mask is empty.
    /// `patch`: the output is a patch (`output.mode: patch`), measured merged over its plate frame
    /// (converted to the output's space).
    static func measure(frame: Int, output url: URL, matte: String, patch: ColorConversion?, plate: PlateSequence,
                        transforms: (output: ReviewTransform, plate: ReviewTransform)) throws -> FaceQualityScores? {
        let (image, header) = try ExrImage.read(url, layer: nil)
        for name in ["R", "G", "B", matte] where image.channelIndex(name) == nil {
            throw ReviewError.frame(file: url.path, "no channel \(name) (channels: \(image.channelNames.joined(separator: ", ")))")
        }
        let source = try plate.read(frame: frame)
        let result = patch.map { transforms.output.apply(ReviewImage.overPlate(image, header: header, plate: source, conversion: $0)) }
            ?? ReviewImage.prepare(image, header: header, through: transforms.output)
        let mask = ReviewImage.displayWindow(image.selecting([matte]), header: header).planes[0]
        let reference = ReviewImage.prepare(source.image, header: source.header, through: transforms.plate)
        guard reference.width == result.width, reference.height == result.height else {
            throw ReviewError.frame(file: url.path, "output is \(result.width)x\(result.height), the plate \(reference.width)x\(reference.height)")
        }
        return FaceQuality.measure(output: result, reference: reference, mask: mask)
    }
}
