import FaceAlign
import Foundation
import Support

/// Does the actor's face set show the head poses the plate performer takes? A DF model can only
/// draw the actor in poses it has seen: a plate face turned further than every actor face comes
/// out turned toward the actor's nearest poses (looking past the camera, mouth in the wrong
/// place), however long the model trains. Counted from faceset.json's FaceMesh landmarks before
/// training, so the user learns it in the first seconds rather than from a finished swap.
public struct PoseCoverage: Encodable, Equatable, Sendable {
    /// A target face is covered when a source face (or its mirror image, when training flips
    /// faces) lies within this many degrees of its yaw and pitch.
    public static let radius: Float = 3
    /// Below this covered fraction, training warns.
    public static let warnBelow = 0.8

    /// Target faces with landmarks, and how many of them are covered.
    public var faces: Int, covered: Int
    /// [min, max] degrees (HeadPose) of the target's faces and of the source's (mirrors included).
    public var targetYaw: [Float], targetPitch: [Float], sourceYaw: [Float], sourcePitch: [Float]

    enum CodingKeys: String, CodingKey {
        case faces, covered, targetYaw = "target_yaw", targetPitch = "target_pitch", sourceYaw = "source_yaw", sourcePitch = "source_pitch"
    }

    /// Nil when either side has no face with 468 landmarks.
    public init?(training: TrainingPoses, target: [HeadPose]) {
        guard !training.source.isEmpty, !target.isEmpty else { return nil }
        faces = target.count
        covered = target.filter(training.covers).count
        func range(_ values: [Float]) -> [Float] { [values.min()!, values.max()!] }
        (targetYaw, targetPitch) = (range(target.map(\.yaw)), range(target.map(\.pitch)))
        (sourceYaw, sourcePitch) = (range(training.source.map { $0[0] }), range(training.source.map { $0[1] }))
    }

    /// The poses of a face set's faces that have FaceMesh landmarks.
    public static func poses(_ document: FaceSetDocument) -> [HeadPose] { document.faces.compactMap { HeadPose(landmarks: $0.landmarks) } }

    public var isShort: Bool { Double(covered) < Self.warnBelow * Double(faces) }

    /// One log line; when short, what it means and what to do.
    public var description: String {
        func span(_ r: [Float]) -> String { String(format: "%.0f..%.0f", r[0], r[1]) }
        var line = "pose coverage: \(covered) of \(faces) target faces have a source face (mirrors included) within "
            + String(format: "%.0f", Self.radius) + " degrees of their head pose; yaw: target \(span(targetYaw)), source \(span(sourceYaw)); "
            + "pitch: target \(span(targetPitch)), source \(span(sourcePitch))"
        if isShort {
            line += ". The swap turns the other faces toward the actor's nearest poses (eyes and mouth out of place) however long it "
                + "trains: add footage of the actor with these head turns"
        }
        return line
    }
}

/// The actor's head poses a model was trained on, kept in the model directory
/// (`training_poses.json`) so that `run` can name the plate frames whose face is turned beyond
/// them: there the swap will look frontal whatever the model's quality.
public struct TrainingPoses: Codable, Equatable, Sendable {
    public static let fileName = "training_poses.json"
    public var version = 1
    /// [yaw, pitch] in HeadPose degrees, mirror images included when training flips faces.
    public var source: [[Float]]

    public init(source: [HeadPose], mirrored: Bool) {
        self.source = (mirrored ? source + source.map(\.mirrored) : source).map { [$0.yaw, $0.pitch] }
    }

    /// Whether a training pose lies within `PoseCoverage.radius` of `pose`.
    public func covers(_ pose: HeadPose) -> Bool {
        source.contains { $0.count == 2 && HeadPose(yaw: $0[0], pitch: $0[1]).distance(to: pose) <= PoseCoverage.radius }
    }

    public func write(into model: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: model.appendingPathComponent(Self.fileName))
    }

    /// Nil when the model has none (trained before it was kept, or without landmarks).
    public static func read(from model: URL) throws -> TrainingPoses? {
        let url = model.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(TrainingPoses.self, from: Data(contentsOf: url)) } catch {
            throw PipelineError.configuration("\(url.path): not a training poses file: \(error)")
        }
    }
}
