import Foundation
import LatentSwapModel
import Support

/// report.json: what a run did with every frame, and where the time went.
public struct RunReport: Codable, Equatable {
    public struct Failure: Codable, Equatable {
        public var frame: Int
        public var error: String
        /// An unreadable input frame (plate or holdout matte) that `on_error: skip` passed over.
        public var skippedOnError: Bool

        public init(frame: Int, error: String, skippedOnError: Bool = false) {
            self.frame = frame
            self.error = error
            self.skippedOnError = skippedOnError
        }

        enum CodingKeys: String, CodingKey { case frame, error, skippedOnError = "skipped_on_error" }
    }

    /// True when every failure was an input frame `on_error: skip` was told to pass over: the run
    /// succeeded as asked (exit status 0).
    public var succeeded: Bool { failed.allSatisfy(\.skippedOnError) }

    public var shot: String
    public var version: String = PlateswapVersion.string
    public var configHash: String
    public var model: String
    public var frames: [Int] = []
    /// Frames swapped and written by this run.
    public var done: [Int] = []
    /// Frames whose output already existed with the same config hash.
    public var skipped: [Int] = []
    /// Frames written unchanged (with an all-zero mask) because no face was found.
    public var noFace: [Int] = []
    /// Frames whose face is turned beyond every actor pose the model trained on (the model's
    /// training_poses.json); nil when the model keeps none.
    public var poseOutsideTraining: [Int]?
    /// `blend.follow_plate`: per frame whose swap's features were moved onto the plate's, the
    /// largest feature shift in eye distances (frames left as drawn are absent); nil when off.
    public var followPlate: [String: Double]?
    public var failed: [Failure] = []
    /// Mean seconds per written frame by stage: read, faces, crop, encode, swap, decode, composite, write.
    public var secondsPerFrame: [String: Double] = [:]
    public var totalSeconds: Double = 0
    public var started: String
    public var finished: String = ""
    /// What is known of the swap's quality (absent with `--identity-swap`).
    public var quality: Quality?
    /// The signal that stopped the run between two frames (`SIGINT`, `SIGTERM`); absent when it ran to the end.
    public var stopped: String?
    /// The checkpoint that rendered this run's frames (absent with `--identity-swap`).
    public var checkpoint: Checkpoint?

    /// The weights file a run loaded, with its SHA-256 and training iteration; `backup` when it
    /// came from the model's backups/ (`model.allow_backup`, `--use-backup`).
    public struct Checkpoint: Codable, Equatable {
        public var weights: String
        public var sha256: String
        public var iteration: Int
        public var backup: Bool
    }

    /// The model's last held-out score (train.yaml `holdout`) and this run's latent checkerboard:
    /// the swaps' (-1)^(x+y) latent energy over that of the plate crops' own codec latents.
    public struct Quality: Codable, Equatable {
        public var modelHoldout: TrainState.QualityRecord?
        public var latentCheckerboard: Double?
        enum CodingKeys: String, CodingKey { case modelHoldout = "model_holdout", latentCheckerboard = "latent_checkerboard" }
    }

    enum CodingKeys: String, CodingKey {
        case shot, version, configHash = "config_hash", model, frames, done, skipped, noFace = "no_face", failed
        case secondsPerFrame = "seconds_per_frame", totalSeconds = "total_seconds", started, finished, quality, stopped, checkpoint
        case poseOutsideTraining = "pose_outside_training", followPlate = "follow_plate"
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        AtomicFile.removeTemporaries(beside: url)
        try AtomicFile.write(try encoder.encode(self), to: url)
    }

    public static func read(_ url: URL) throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: url))
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}

/// Seconds spent per stage, summed over frames.
public struct StageClock {
    public private(set) var totals: [String: Double] = [:]

    public init() {}

    public mutating func time<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { totals[stage, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }
}
