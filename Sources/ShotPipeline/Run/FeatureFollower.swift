import FaceAlign
import Foundation
import Imaging
import Neural
import Support

/// shot.yaml's `blend.follow_plate`: FaceMesh on the plate's crop and on the swapped crop (one
/// ROI for both, from the tracked mesh, so the two meshes share every bias of the network), then
/// `FeatureFollow`'s warp of the swap. The swap is left as drawn where either mesh is missing or a
/// feature would move implausibly far (a smeared swap, not a pose).
final class FeatureFollower {
    let landmarker: FaceMeshLandmarker
    let follow: FeatureFollow
    /// Per frame, the largest feature shift applied (eye distances); frames left as drawn are absent.
    private(set) var shifts: [Int: Float] = [:]

    init(strength: Double, searchPath: ModelSearchPath = .standard()) throws {
        landmarker = try FaceMeshLandmarker(searchPath: searchPath)
        follow = FeatureFollow(strength: Float(strength))
    }

    /// `plateCrop` is the codec's input for the face, `swapped` the decoded swap (same size, the
    /// network's [0, 1] encoding; its R, G, B are landmarked, every channel is warped), `tracked`
    /// the face's tracked mesh in crop pixels.
    func apply(frame: Int, plateCrop: ImageBuffer, swapped: ImageBuffer, tracked: [SIMD3<Float>]) -> ImageBuffer {
        let roi = FaceROI.fromLandmarks(tracked)
        let plate = landmarker.landmarks(plateCrop, roi: roi), swap = landmarker.landmarks(swapped, roi: roi)
        guard plate.presence >= FaceMeshLandmarker.minPresence, swap.presence >= FaceMeshLandmarker.minPresence,
              let warp = follow.sourceMap(plate: plate.landmarks, swap: swap.landmarks) else {
            Log.debug("frame \(frame): follow_plate left the swap as drawn (no plausible mesh of the swap)")
            return swapped
        }
        shifts[frame] = max(shifts[frame] ?? 0, warp.largestShift)
        return swapped.remapped { warp.map($0) }
    }
}
