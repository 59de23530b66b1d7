import Foundation
import Imaging
import Neural

/// The full per-image pipeline: MTCNN boxes and 5 points, then FaceMesh landmarks on each face.
public final class FaceFinder {
    public let detector: MTCNNDetector
    public let landmarker: FaceMeshLandmarker
    /// Faces whose mesh presence is below this are dropped (MediaPipe's 0.5).
    public var minPresence: Float = 0.5

    public struct Timings: Sendable {
        public var detection = MTCNNDetector.Timings()
        public var landmarks = 0.0
        public init() {}
    }

    public init(searchPath: ModelSearchPath = .standard(), settings: MTCNNDetector.Settings = .init()) throws {
        detector = MTCNNDetector(networks: try MTCNNNetworks(searchPath: searchPath), settings: settings)
        landmarker = try FaceMeshLandmarker(searchPath: searchPath)
    }

    /// Faces of an image with display-referred R, G, B in [0, 1], largest box first.
    public func find(_ image: ImageBuffer, timings: UnsafeMutablePointer<Timings>? = nil) throws -> [DetectedFace] {
        for name in ["R", "G", "B"] where image.channelIndex(name) == nil {
            throw FaceAlignError.badInput("image has no \(name) channel (channels: \(image.channelNames))")
        }
        var t = Timings()
        defer { timings?.pointee = t }
        // Upstream MTCNN sees 8-bit images: whole levels give its pyramid and crops bit for bit.
        let rgb = ["R", "G", "B"].flatMap { image[channel: $0].map { v in v.isFinite ? (min(max(v, 0), 1) * 255).rounded() : 0 } }
        var faces = detector.detect(rgb: rgb, width: image.width, height: image.height, timings: &t.detection)
        let start = Date()
        for i in faces.indices {
            let mesh = landmarker.landmarks(image, face: faces[i])
            faces[i].landmarks = mesh.landmarks
            faces[i].presence = mesh.presence
        }
        t.landmarks = Date().timeIntervalSince(start)
        return faces.filter { $0.presence >= minPresence }
    }
}
