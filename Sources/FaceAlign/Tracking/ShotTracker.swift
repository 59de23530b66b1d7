import Foundation
import Imaging

/// Tracks a whole shot: finds the faces of every frame (MTCNN + FaceMesh), links them into tracks
/// and smooths them (`buildTracks`), recording the state of each frame's file as it was just
/// before it was read (`TracksSource.Frame`). The caller supplies the pixels; nothing is written.
public struct ShotTracker {
    /// One frame's pixels as the detector takes them (network-encoded) and where the buffer's
    /// top-left pixel sits in the plate (the EXR data window's min corner).
    public struct FrameImage {
        public var image: ImageBuffer
        public var origin: SIMD2<Float>
        public init(image: ImageBuffer, origin: SIMD2<Float>) { (self.image, self.origin) = (image, origin) }
    }

    public let finder: FaceFinder
    public var smoothing: OneEuroParameters

    public init(finder: FaceFinder, smoothing: OneEuroParameters) {
        self.finder = finder
        self.smoothing = smoothing
    }

    /// Tracks `frames` of `plate` in order; `settings` are those that change the tracks (they go
    /// into the document's `source` with every frame's file state). `file(frame)` is the path
    /// holding the frame (for its size and time); `read(frame)` its pixels. A frame that cannot be
    /// read or searched is marked unread (`tracked: false`, never "no face") and told to
    /// `unreadable`. `before(frame, done)` runs before each frame and may throw to stop (nothing is
    /// returned then: smoothing needs the whole shot); `after(state, faces)` after each one.
    public func track(frames: [Int], frameRate: Double, plate: String, settings: [String: String],
                      file: (Int) -> String, read: (Int) throws -> FrameImage,
                      unreadable: (_ frame: Int, _ error: Error) -> Void = { _, _ in },
                      before: (_ frame: Int, _ done: Int) throws -> Void = { _, _ in },
                      after: (_ state: TracksSource.Frame, _ faces: Int) -> Void = { _, _ in }) throws -> TracksDocument {
        var detections: [(frame: Int, faces: [DetectedFace])] = []
        var states: [TracksSource.Frame] = []
        for frame in frames {
            try before(frame, detections.count)
            var faces: [DetectedFace] = []
            var state = TracksSource.Frame(frame: frame, file: file(frame))
            do {
                let image = try read(frame)
                // Landmarks in absolute plate pixels (the data window may not start at 0).
                faces = try finder.find(image.image).map { $0.shifted(by: image.origin) }
            } catch {
                state.tracked = false
                unreadable(frame, error)
            }
            detections.append((frame, faces))
            states.append(state)
            after(state, faces.count)
        }
        var document = buildTracks(detections: detections, frameRate: frameRate, smoothing: smoothing)
        document.source = TracksSource(plate: plate, settings: settings, frames: states)
        return document
    }
}
