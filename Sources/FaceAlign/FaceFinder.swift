import Foundation
import Imaging
import Neural

/// The full per-image pipeline: MTCNN boxes and 5 points, then FaceMesh landmarks on each face (its
/// ROI from MediaPipe's own detector run around the face, as `FaceMeshLandmarker` describes).
public final class FaceFinder {
    public let detector: MTCNNDetector
    public let landmarker: FaceMeshLandmarker
    /// Faces whose mesh presence is below this are dropped (MediaPipe's 0.5).
    public var minPresence: Float = 0.5

    public struct Timings: Sendable {
        public var detection = MTCNNDetector.Timings()
        /// FaceMesh ROIs from MediaPipe's short-range detector, all faces.
        public var meshROI = 0.0
        /// FaceMesh itself (and the MTCNN-ROI fallback), all faces.
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
        for i in faces.indices {
            let start = Date()
            let roi = landmarker.detectorROI(image, for: faces[i])
            let found = Date()
            let mesh = landmarker.landmarks(image, face: faces[i], detectorROI: roi)
            faces[i].landmarks = mesh.landmarks
            faces[i].presence = mesh.presence
            t.meshROI += found.timeIntervalSince(start)
            t.landmarks += Date().timeIntervalSince(found)
        }
        return faces.filter { $0.presence >= minPresence }
    }
}
