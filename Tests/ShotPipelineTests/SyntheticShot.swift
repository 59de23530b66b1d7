import FaceAlign
import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// Plates whose pixels depend on *absolute* pixel positions (so plates with different data windows
/// agree where they overlap), a tracks.json with a synthetic face mesh, and the `plateswap` binary.
enum SyntheticShot {
    /// RGBA at absolute pixel (x, y) of `frame`: gradients, a highlight above 1, NaN and Inf spots.
    static func pixel(x: Int, y: Int, frame: Int) -> SIMD4<Float> {
        let r = Float((x * 7 + y * 3 + frame * 5) % 97) / 97 * 0.9
        let g = Float(y & 63) / 64 * 0.7 + 0.05
        let b: Float = (x / 16 + y / 16) % 5 == 0 ? 4.25 : 0.3
        return SIMD4(r, g, b, 1)
    }

    static func plate(window: PixelBox, frame: Int) -> ImageBuffer {
        var image = ImageBuffer(width: window.width, height: window.height, channels: ["R", "G", "B", "A"])
        for y in 0..<window.height { for x in 0..<window.width {
            let p = pixel(x: x + window.xMin, y: y + window.yMin, frame: frame)
            for c in 0..<4 { image.planes[c][y * window.width + x] = p[c] }
        } }
        image.planes[0][0] = .nan
        image.planes[1][1] = .infinity
        image.planes[2][2] = -.infinity
        return image
    }

    static func writePlates(_ folder: URL, frames: [Int], window: PixelBox, display: PixelBox? = nil) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for frame in frames {
            let header = ExrHeader(dataWindow: window, displayWindow: display ?? window, compression: .zip,
                                   attributes: ["framesPerSecond": .rational(numerator: 25, denominator: 1)])
            try ExrWriter.write(plate(window: window, frame: frame), header: header,
                                to: folder.appendingPathComponent(String(format: "plate.%04d.exr", frame)), pixelType: .half)
        }
    }

    /// A frontal face mesh filling the square of side `side` centred at (cx, cy) (absolute pixels):
    /// the alignment points at their template places, the face oval on an ellipse.
    static func mesh(cx: Float, cy: Float, side: Float) -> [SIMD3<Float>] {
        var points = [SIMD3<Float>](repeating: SIMD3(cx, cy, 0), count: FaceMeshTopology.pointCount)
        let oval = FaceMeshTopology.faceOval
        for (k, index) in oval.enumerated() {
            let t = 2 * Float.pi * Float(k) / Float(oval.count)
            points[index] = SIMD3(cx + 0.33 * side * sin(t), cy - 0.42 * side * cos(t), 0)
        }
        let template = FaceTemplate(.wholeFace)
        for (index, unit) in zip(template.indices, template.unitPoints) where !oval.contains(index) {
            points[index] = SIMD3(cx + Float(unit.x - 0.5) * side, cy + Float(unit.y - 0.5) * side, 0)
        }
        return points
    }

    /// tracks.json with one face on every frame except `without`, drifting right by `drift` px a
    /// frame, made "from" the plate `plate` (a frame pattern, already written) with the default
    /// tracking settings, so a run reuses it instead of tracking again (`ShotTracks`).
    static func writeTracks(_ url: URL, plate: URL, frames: [Int], cx: Float, cy: Float, side: Float, drift: Float = 1,
                            without: Set<Int> = []) throws {
        let detections = frames.map { frame -> (frame: Int, faces: [DetectedFace]) in
            if without.contains(frame) { return (frame, []) }
            let x = cx + drift * Float(frame - frames[0])
            let box = FaceBox(x1: x - side / 2, y1: cy - side / 2, x2: x + side / 2, y2: cy + side / 2)
            return (frame, [DetectedFace(box: box, score: 0.99, points5: [], landmarks: mesh(cx: x, cy: cy, side: side), presence: 1)])
        }
        var document = buildTracks(detections: detections, frameRate: 25, smoothing: OneEuroParameters())
        document.source = try source(plate: plate, tracks: url)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try document.encoded().write(to: url)
    }

    /// What a run of a shot with this plate and default settings records as tracks.json's source.
    static func source(plate: URL, tracks: URL) throws -> TracksSource {
        let config = ShotConfig(shot: "synthetic", plate: .init(path: plate),
                                output: .init(path: tracks.deletingLastPathComponent().appendingPathComponent("swap.####.exr"),
                                              report: tracks.deletingLastPathComponent().appendingPathComponent("report.json"),
                                              tracks: tracks),
                                model: .init(path: tracks.deletingLastPathComponent()), source: tracks)
        return try source(config)
    }

    /// The source a run of `config` compares tracks.json with (the plate as it is on disk now).
    static func source(_ config: ShotConfig) throws -> TracksSource {
        let sequence = try PlateSequence(config)
        return ShotTracks.source(shot: config, plate: sequence, frames: sequence.frames)
    }

    /// Marks the hand-made tracks.json of `config` as made from its plate as it is now, so a run
    /// uses it as it is (a file without `source` would be tracked again).
    static func stamp(tracksOf config: ShotConfig) throws {
        var document = try TracksDocument.read(from: config.output.tracks)
        document.version = TracksDocument.currentVersion
        document.source = try source(config)
        try document.encoded().write(to: config.output.tracks)
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The `plateswap` executable built beside the test bundle (scripts/test builds it first).
    static func binary() throws -> URL {
        let candidates = [Bundle.main.bundleURL, Bundle(for: PipelineTests.self).bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent("plateswap") }
            + [URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/release/plateswap")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw PipelineError.configuration("the plateswap executable is not built; run `swift build -c release` first (looked in \(candidates.map(\.path)))")
        }
        return found
    }
}
