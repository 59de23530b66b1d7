import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import Support

/// Does the swap follow the performance? Target (plate performer) faces are decoded as the source
/// (the swap), and FaceMesh locates the mouth and eyes on the swapped crop and on the real crop from
/// the same region of interest. The mean landmark distance, in inter-ocular distances, is near 0
/// when the swap keeps the target's expression and grows when it paints one frontal, average face
/// on every frame (the failure the held-out reconstruction scores cannot see). Identity is not
/// measured here; `scripts/identity_check.py` does that offline with an independent network.
public struct SwapFollowEvaluator {
    /// Codec latents of the chosen target crops [N, C, S/8, S/8].
    let latents: Tensor
    /// FaceMesh's landmarks on the real crops, and the ROI each was found in (reused for the swap).
    let reference: [[SIMD3<Float>]]
    let rois: [FaceROI]
    let codec: LatentCodec
    let mesh: FaceMeshLandmarker
    var batchSize = 4

    /// The lip contours (outer and inner) and the eye rings of MediaPipe's mesh.
    static let mouthPoints = FaceMeshTopology.outerLipsRing + FaceMeshTopology.innerLipsRing
    static let eyePoints = FaceMeshTopology.rightEyeRing + FaceMeshTopology.leftEyeRing

    /// Chooses up to `count` faces spread evenly over the face set in `folder` and locates their
    /// landmarks on the real crops. `latents[i]` is face i's unaugmented crop as training encoded
    /// it (variant 0), so nothing is encoded again. Nil when no face of the set has the 468-point
    /// mesh to place the landmark search.
    public init?(folder: URL, document: FaceSetDocument, latents: [Tensor], size: Int, codec: LatentCodec,
                 mesh: FaceMeshLandmarker, count: Int = 8) throws {
        precondition(latents.count == document.faces.count, "one latent per face")
        let meshed = document.faces.indices.filter { document.faces[$0].landmarks.count == FaceMeshTopology.pointCount }
        guard !meshed.isEmpty, let first = latents.first else { return nil }
        let chosen = (0..<min(count, meshed.count)).map { meshed[$0 * meshed.count / min(count, meshed.count)] }
        let plain = CropVariants(flip: false, warped: 0)
        var reference: [[SIMD3<Float>]] = [], rois: [FaceROI] = []
        for i in chosen {
            let entry = document.faces[i]
            let crop = try FaceSetLatents.readPNG(folder.appendingPathComponent(entry.file)).selecting(["R", "G", "B"])
            let image = plain.render(index: 0, face: entry.file, image: crop, size: size)
            let roi = FaceROI.fromLandmarks(SwapFollowEvaluator.cropLandmarks(entry, size: size))
            reference.append(mesh.landmarks(image, roi: roi).landmarks)
            rois.append(roi)
        }
        self.latents = Tensor(shape: [chosen.count] + first.shape, data: chosen.flatMap { latents[$0].data })
        (self.reference, self.rois, self.codec, self.mesh) = (reference, rois, codec, mesh)
    }

    /// The face set's landmarks mapped into the crop at `size` pixels (the entry's matrix maps
    /// source pixels to its own crop size).
    static func cropLandmarks(_ entry: FaceSetDocument.Entry, size: Int) -> [SIMD3<Float>] {
        let m = entry.matrix, scale = Double(size) / Double(entry.size)
        return entry.landmarks.map { p in
            let x = Double(p[0]), y = Double(p[1])
            return SIMD3(Float((m[0][0] * x + m[0][1] * y + m[0][2]) * scale),
                         Float((m[1][0] * x + m[1][1] * y + m[1][2]) * scale), 0)
        }
    }

    /// Swaps the chosen target faces through `model` and measures how far their mouths and eyes moved.
    public func evaluate(_ model: SwapAutoencoder, iteration: Int) throws -> TrainState.SwapFollowRecord {
        try evaluate(iteration: iteration, swap: model.swap)
    }

    /// The same for any latent-to-latent swap (tests pass the identity and a frozen face).
    public func evaluate(iteration: Int, swap: (Tensor) -> Tensor) throws -> TrainState.SwapFollowRecord {
        var mouth: [Double] = [], eyes: [Double] = []
        let n = latents.shape[0]
        try BatchedDecoding.forEachImage(of: latents, codec: codec, facesPerCall: batchSize, map: swap) { i, image in
            let swapped = mesh.landmarks(image, roi: rois[i]).landmarks
            mouth.append(SwapFollowEvaluator.distance(swapped, reference[i], points: SwapFollowEvaluator.mouthPoints))
            eyes.append(SwapFollowEvaluator.distance(swapped, reference[i], points: SwapFollowEvaluator.eyePoints))
        }
        return TrainState.SwapFollowRecord(iteration: iteration, faces: n, mouth: median(mouth), eyes: median(eyes))
    }

    /// Mean 2-D distance between the same mesh points of two faces, over the real face's
    /// inter-ocular distance (between the eye rings' centres).
    static func distance(_ a: [SIMD3<Float>], _ b: [SIMD3<Float>], points: [Int]) -> Double {
        func centre(_ ring: [Int]) -> SIMD2<Float> { ring.reduce(SIMD2<Float>()) { $0 + SIMD2(b[$1].x, b[$1].y) } / Float(ring.count) }
        let d = centre(FaceMeshTopology.rightEyeRing) - centre(FaceMeshTopology.leftEyeRing)
        let iod = Double((d * d).sum().squareRoot())
        let total = points.reduce(0.0) { sum, i in
            let e = SIMD2(a[i].x - b[i].x, a[i].y - b[i].y)
            return sum + Double((e * e).sum().squareRoot())
        }
        return total / Double(points.count) / max(iod, 1e-6)
    }

    /// One log line.
    public static func describe(_ r: TrainState.SwapFollowRecord) -> String {
        String(format: "swap follows the target (%d faces) at iteration %d: mouth %.3f, eyes %.3f inter-ocular distances from the real face's",
               r.faces, r.iteration, r.mouth, r.eyes)
    }
}
