import FaceAlign
import Foundation
import Support

/// train.yaml's `source_match`: train on the actor's faces whose expression and head pose are
/// nearest the plate performer's, as DeepFaceLab users curate the source set by hand. A model
/// draws the mouths it was trained on: from a talking actor's every frame, the swap of a
/// closed-mouth performer comes out with the actor's half-open talking mouth (BENCHMARKS.md, "An
/// actor set that matches the plate's expression").
public struct SourceMatch: Equatable, Sendable {
    /// The fraction of the source faces kept (those nearest any target face).
    public var keep: Double
    /// How much yaw and pitch count against the expression's five lengths (1: alike, in units of
    /// the actor's spread). A performer turned beyond every actor face pulls in the actor's most
    /// turned faces whatever their mouth; a lower weight lets the expression decide.
    public var poseWeight: Float

    public init(keep: Double, poseWeight: Float = 1) { (self.keep, self.poseWeight) = (keep, poseWeight) }

    /// Which faces of each source set to train on; nil (all faces) when either side has no face
    /// with FaceMesh landmarks. `mirrored`: training flips faces, so a face's mirror image counts.
    public func select(sources: [FaceSetDocument], targets: [FaceSetDocument], mirrored: Bool) -> Selection? {
        let target = targets.flatMap { $0.faces.compactMap { FaceExpression(landmarks: $0.landmarks)?.features } }
        var scored: [(set: Int, face: Int, expression: FaceExpression)] = [], unscored: [(set: Int, face: Int)] = []
        for (s, document) in sources.enumerated() {
            for (f, face) in document.faces.enumerated() {
                if let expression = FaceExpression(landmarks: face.landmarks) { scored.append((s, f, expression)) } else { unscored.append((s, f)) }
            }
        }
        guard !target.isEmpty, !scored.isEmpty else { return nil }
        let scale = zip(Self.spread(scored.map(\.expression.features)), Self.poseFeature).map { $1 ? $0 / max(poseWeight, 1e-6) : $0 }
        func distance(_ features: [Float]) -> Float {
            target.map { t in zip(zip(features, t), scale).reduce(Float(0)) { sum, item in
                let d = (item.0.0 - item.0.1) / item.1
                return sum + d * d
            } }.min()!
        }
        let distances = scored.map { item -> Float in
            let plain = distance(item.expression.features)
            return mirrored ? min(plain, distance(item.expression.mirrored.features)) : plain
        }
        let count = max(1, min(scored.count, Int((keep * Double(scored.count)).rounded())))
        // Nearest first; ties in set and face order, so the choice is the same on every run.
        let chosen = scored.indices.sorted { (distances[$0], scored[$0].set, scored[$0].face) < (distances[$1], scored[$1].set, scored[$1].face) }.prefix(count)
        var kept = [[Int]](repeating: [], count: sources.count)
        for i in chosen { kept[scored[i].set].append(scored[i].face) }
        for item in unscored { kept[item.set].append(item.face) }
        return Selection(kept: kept.map { $0.sorted() }, total: scored.count + unscored.count, unscored: unscored.count,
                         target: target, chosen: chosen.map { scored[$0].expression.features }, all: scored.map(\.expression.features))
    }

    /// Per feature, the source faces' robust spread (1.4826 x the median absolute deviation: the
    /// standard deviation of normal data), floored so that a feature the actor never varies
    /// (a fixed head, one mouth shape) cannot dominate the distance.
    static func spread(_ rows: [[Float]]) -> [Float] {
        let floors: [Float] = [0.01, 0.01, 0.01, 0.01, 0.01, 1, 1]
        return (0..<floors.count).map { j in
            let column = rows.map { $0[j] }, centre = median(column)
            return max(floors[j], 1.4826 * median(column.map { abs($0 - centre) }))
        }
    }

    /// Which of `FaceExpression.features` are the head pose (yaw, pitch).
    static let poseFeature = [false, false, false, false, false, true, true]

    /// The faces kept per source set (indices into its faceset.json), and the log line saying why.
    public struct Selection: Equatable, Sendable {
        public var kept: [[Int]]
        public var total: Int
        /// Source faces without landmarks, kept since they cannot be judged.
        public var unscored: Int
        var target: [[Float]], chosen: [[Float]], all: [[Float]]

        public var keptCount: Int { kept.reduce(0) { $0 + $1.count } }

        public var description: String {
            func span(_ rows: [[Float]], _ j: Int, _ format: String) -> String {
                let column = rows.map { $0[j] }
                return String(format: "\(format)..\(format)", column.min()!, column.max()!)
            }
            var line = "source match: training on \(keptCount) of \(total) source faces, those nearest the target's expressions and head poses"
            for (j, format) in [(0, "%.2f"), (1, "%.2f"), (5, "%.0f")] {
                line += "; \(FaceExpression.featureNames[j]): target \(span(target, j, format)), kept \(span(chosen, j, format)), all \(span(all, j, format))"
            }
            if unscored > 0 { line += "; \(unscored) faces without FaceMesh landmarks kept unjudged" }
            return line
        }
    }
}
