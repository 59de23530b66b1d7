import Compositor
import FaceAlign
import Foundation
import Imaging

/// One face to swap in a frame: where its aligned crop is, and its mask at crop size.
public struct SwapFace: Sendable {
    /// Plate pixel (data-window buffer coordinates, pixel-centre convention) -> crop pixel.
    public var plateToCrop: Imaging.AffineTransform
    /// Face mask at crop size, values in [0, 1], row-major.
    public var mask: [Float]
    public var trackID: Int
    /// The tracked 468-point mesh in crop pixels (integer-centred), when the faces come from tracks.
    public var cropLandmarks: [SIMD3<Float>]?

    public init(plateToCrop: Imaging.AffineTransform, mask: [Float], trackID: Int, cropLandmarks: [SIMD3<Float>]? = nil) {
        self.plateToCrop = plateToCrop
        self.mask = mask
        self.trackID = trackID
        self.cropLandmarks = cropLandmarks
    }
}

/// Where a run gets its faces: `open` gives a shot's faces in one call (tracking the plate first
/// when it has to), so nothing can ask for a frame's face before the tracks exist.
public protocol FaceSource {
    func open(shot: ShotConfig, plate: PlateSequence) throws -> any FaceProvider
}

/// The faces of one shot, for any frame in any order.
public protocol FaceProvider {
    /// A digest of the tracks, part of the config hash.
    var tracksDigest: String { get }
    /// The selected face(s) of `frame`; empty when the frame has none. `origin` is the absolute
    /// pixel position of the buffer's top-left pixel (the EXR data window's min corner).
    func faces(frame: Int, plate: ImageBuffer, origin: (x: Int, y: Int), cropSize: Int) throws -> [SwapFace]
    /// The head pose of the face `faces(frame:...)` selects, from its landmarks (nil: none known).
    func headPose(frame: Int) -> HeadPose?
}

extension FaceProvider {
    public func headPose(frame: Int) -> HeadPose? { nil }
}

/// Turns a network-encoded crop of the plate performer into the actor's face (codec encode, swap
/// model, codec decode), in the same [0, 1] network space and size.
public protocol FaceSwapper {
    /// Identifies the model and codec weights (goes into the config hash and `plateswap:model`).
    var identity: String { get }
    /// The crop size the model was trained at.
    var cropSize: Int { get }
    func swap(_ crop: ImageBuffer) throws -> ImageBuffer
    /// The same, timing its stages in `clock` (`encode`, `swap`, `decode` where they exist).
    func swap(_ crop: ImageBuffer, clock: inout StageClock) throws -> ImageBuffer
    /// The swap and, from a model with mask heads, where it drew the face: [0, 1] at crop size,
    /// row-major (nil when the swapper predicts none).
    func swapWithMask(_ crop: ImageBuffer, clock: inout StageClock) throws -> (image: ImageBuffer, mask: [Float]?)
}

extension FaceSwapper {
    public func swap(_ crop: ImageBuffer, clock: inout StageClock) throws -> ImageBuffer {
        try clock.time("swap") { try swap(crop) }
    }

    public func swapWithMask(_ crop: ImageBuffer, clock: inout StageClock) throws -> (image: ImageBuffer, mask: [Float]?) {
        (try swap(crop, clock: &clock), nil)
    }
}

/// A swapper that returns its input: for pipeline tests and for checking a shot's plumbing.
public struct IdentitySwapper: FaceSwapper {
    public let cropSize: Int
    public var identity: String { "identity" }
    public init(cropSize: Int) { self.cropSize = cropSize }
    public func swap(_ crop: ImageBuffer) throws -> ImageBuffer { crop }
}
