import Compositor
import FaceAlign
import Foundation
import Imaging

/// The stable JSON of `plateswap detect --json` (keys sorted; coordinates in image pixels with
/// integer pixel centres, EXR data window offset included; faces largest first).
public struct DetectionReport: Codable, Equatable, Sendable {
    public struct Face: Codable, Equatable, Sendable {
        public var box: [Float]
        public var score: Float
        public var points5: [[Float]]
        public var landmarks: [[Float]]
        public var presence: Float

        public init(_ f: DetectedFace) {
            box = f.box.array
            score = f.score
            points5 = f.points5.map { [$0.x, $0.y] }
            landmarks = f.landmarks.map { [$0.x, $0.y, $0.z] }
            presence = f.presence
        }
    }

    public var image: String
    public var width: Int
    public var height: Int
    public var faces: [Face]

    /// Finds the faces of one image file (PNG, JPEG, TIFF, DPX or EXR) with pixels in `colorspace`,
    /// or in the space its own tags give (`PlateColorRules`).
    public init(file: String, finder: FaceFinder, colorspace: NamedColorSpace? = nil,
                names: ColorSpaceNames = ColorSpaceNames(config: nil)) throws {
        let loaded = try FaceImageSource.loadStill(URL(fileURLWithPath: file), colorspace: colorspace, names: names)
        let found = try finder.find(loaded.image).map { $0.shifted(by: loaded.origin) }
        image = file
        width = loaded.image.width
        height = loaded.image.height
        faces = found.sorted { $0.box.area > $1.box.area }.map(Face.init)
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
