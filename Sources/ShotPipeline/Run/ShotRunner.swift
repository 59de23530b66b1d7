import Compositor
import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import PlateIO
import Support

/// Runs a shot (or a chunk of it) frame by frame, one frame in memory at a time.
public struct ShotRunner {
    public struct Options {
        /// Frames of this run (`--frames`); nil = the whole shot.
        public var frames: [Int]?
        /// Redo frames whose output already exists with the same config hash.
        public var force = false
        /// Only make tracks.json (the farm's `track` step).
        public var tracksOnly = false
        /// Polled before each frame (and each tracked frame): a signal writes the report and stops.
        public var stop: StopSignals = .shared

        public init(frames: [Int]? = nil, force: Bool = false, tracksOnly: Bool = false) {
            self.frames = frames
            self.force = force
            self.tracksOnly = tracksOnly
        }
    }

    public let config: ShotConfig
    public let faces: FaceSource
    public let swapper: FaceSwapper

    public init(config: ShotConfig, faces: FaceSource, swapper: FaceSwapper) {
        self.config = config
        self.faces = faces
        self.swapper = swapper
    }

    /// Where this run's report goes: report.json, or report.FIRST-LAST.json for a chunk (so farm
    /// tasks running at once never write the same file).
    public func reportURL(_ options: Options) -> URL {
        guard let frames = options.frames, let first = frames.first, let last = frames.last else { return config.output.report }
        let base = config.output.report.deletingPathExtension()
        return base.appendingPathExtension("\(first)-\(last)").appendingPathExtension(config.output.report.pathExtension)
    }

    /// Runs and returns the report (also written to disk). Frame failures are in `report.failed`;
    /// configuration problems throw.
    public func run(_ options: Options = Options()) throws -> RunReport {
        let start = Date()
        try InputGuard.checkShot(config, frames: options.frames, reportURL: reportURL(options))
        StaleTemporaries.remove(shot: config, reportURL: reportURL(options))
        let plate = try PlateSequence(config)
        let frames = options.frames ?? plate.frames
        let outputs: SequencePattern
        do { outputs = try SequencePattern(config.output.path.path) } catch {
            throw PipelineError.configuration("output.path: \(error)")
        }
        let cropSize = config.face.size ?? swapper.cropSize
        let faces = try self.faces.open(shot: config, plate: plate)
        let hash = ConfigHash.compute(config, plateSpace: plate.colorSpace, modelIdentity: swapper.identity, tracksDigest: faces.tracksDigest)
        var report = RunReport(shot: config.shot, configHash: hash, model: swapper.identity, frames: frames,
                               started: RunReport.timestamp(start))
        if options.tracksOnly { return try finish(&report, start: start, clock: StageClock(), options) }
        if !(swapper is IdentitySwapper), let poses = try TrainingPoses.read(from: config.model.path) {
            report.poseOutsideTraining = Self.posesOutside(poses, frames: frames, faces: faces)
        }

        let compositor = Compositor(
            encoding: plate.encoding, colorTransfer: config.blend.colorTransfer,
            maskErode: config.blend.maskErode, maskBlur: config.blend.maskBlur)
        let conversion: ColorConversion
        do { conversion = try ColorConversion(from: plate.colorSpace, to: config.outputSpace(plate: plate)) } catch {
            throw PipelineError.configuration("output.colorspace: \(error)")
        }
        let holdout = config.mask.holdout.map { HoldoutMatte(holdout: $0, plate: plate, part: plate.source.part) }
        // The plumbing check's swap is the plate itself: there is nothing to follow.
        let follower = config.blend.followPlate > 0 && !(swapper is IdentitySwapper) ? try FeatureFollower(strength: config.blend.followPlate) : nil
        let renderer = FrameRenderer(config: config, plate: plate, outputs: outputs, compositor: compositor, conversion: conversion, faces: faces,
                                     swapper: swapper, cropSize: cropSize, configHash: hash, holdout: holdout, follower: follower)
        var clock = StageClock()
        let progress = Progress(config.shot, total: frames.count)
        OpenJDMessages.status("swapping \(frames.count) frame(s)")
        for frame in frames {
            if let signal = options.stop.signal {
                report.stopped = Stopped.signalName(signal)
                _ = try finish(&report, start: start, clock: clock, options)
                try options.stop.check("before frame \(frame): \(report.done.count) frame(s) written, report in \(reportURL(options).path); "
                    + "a rerun does the rest")
            }
            if !options.force && renderer.isDone(frame: frame) {
                report.skipped.append(frame)
                progress.advance(detail: "frame \(frame) already done")
                continue
            }
            do {
                switch try renderer.render(frame: frame, clock: &clock) {
                case .swapped: report.done.append(frame)
                case .noFace:
                    report.done.append(frame)
                    report.noFace.append(frame)
                }
                progress.advance(detail: "frame \(frame)")
            } catch {
                let input = error as? UnreadableInput
                let reason = input?.reason ?? (error as? PipelineError)?.reason ?? "\(error)"
                let skip = input != nil && config.onError == .skip
                report.failed.append(.init(frame: frame, error: reason, skippedOnError: skip))
                if skip { Log.warning("frame \(frame) skipped (on_error: skip): \(reason)") } else { Log.error("frame \(frame): \(reason)") }
                progress.advance(detail: "frame \(frame) failed")
                if config.onError == .fail { break }
            }
        }
        if let follower {
            report.followPlate = Dictionary(uniqueKeysWithValues: follower.shifts.map { (String($0.key), Double($0.value)) })
        }
        return try finish(&report, start: start, clock: clock, options)
    }

    /// The frames whose selected face no training pose covers; warns once, naming them.
    static func posesOutside(_ poses: TrainingPoses, frames: [Int], faces: FaceProvider) -> [Int] {
        let seen = frames.compactMap { frame in faces.headPose(frame: frame).map { (frame, $0) } }
        let outside = seen.filter { !poses.covers($0.1) }
        if !outside.isEmpty {
            let yaws = outside.map(\.1.yaw), trained = poses.source.map { $0[0] }
            Log.warning("pose: in \(outside.count) of \(seen.count) frames (\(FrameRange.compact(outside.map(\.0)))) the face is turned "
                + String(format: "%.0f..%.0f", yaws.min()!, yaws.max()!) + " degrees of yaw, beyond every actor face the model trained on ("
                + String(format: "%.0f..%.0f", trained.min() ?? 0, trained.max() ?? 0) + "): expect the swap to look toward the actor's "
                + "nearest pose there; more actor footage in these poses is the remedy (report.json pose_outside_training)")
        }
        return outside.map(\.0)
    }

    private func finish(_ report: inout RunReport, start: Date, clock: StageClock, _ options: Options) throws -> RunReport {
        let written = max(1, report.done.count)
        report.secondsPerFrame = clock.totals.mapValues { $0 / Double(written) }
        report.totalSeconds = Date().timeIntervalSince(start)
        report.finished = RunReport.timestamp()
        if let latent = swapper as? LatentSwapper {
            report.quality = .init(modelHoldout: latent.model.state.quality.last, latentCheckerboard: latent.checkerboardRatio)
            let model = latent.model
            report.checkpoint = .init(weights: model.checkpoint.appendingPathComponent(ModelDirectory.weightsName).path,
                                      sha256: model.state.weightsSHA256, iteration: model.state.iteration, backup: model.isBackup)
        }
        try report.write(to: reportURL(options))
        return report
    }
}
