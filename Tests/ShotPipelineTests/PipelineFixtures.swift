import Compositor
import Foundation
import Imaging
import PlateIO
@testable import ShotPipeline

/// A temporary shot: synthetic EXR plate frames, a model folder, and a shot.yaml.
struct ShotFixture {
    let dir: URL
    let frames: [Int]
    let dataWindow: PixelBox
    let displayWindow: PixelBox

    init(frames: [Int] = Array(1001...1004), dataWindow: PixelBox = PixelBox(width: 96, height: 72),
         displayWindow: PixelBox? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-shot-\(UUID().uuidString)")
        self.frames = frames
        self.dataWindow = dataWindow
        self.displayWindow = displayWindow ?? dataWindow
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        for frame in frames { try writePlate(frame: frame) }
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    func plateURL(_ frame: Int) -> URL { dir.appendingPathComponent(String(format: "plates/plate.%04d.exr", frame)) }
    func outputURL(_ frame: Int, folder: String = "out") -> URL { dir.appendingPathComponent(String(format: "\(folder)/swap.%04d.exr", frame)) }

    /// Smooth gradients that move with the frame, a highlight above 1, NaN and Inf pixels, alpha 1.
    func plateImage(frame: Int) -> ImageBuffer {
        let (w, h) = (dataWindow.width, dataWindow.height)
        var image = ImageBuffer(width: w, height: h, channels: ["R", "G", "B", "A"], fill: 1)
        for y in 0..<h { for x in 0..<w {
            let i = y * w + x
            image.planes[0][i] = Float(x + frame % 7) / Float(w) * 0.8
            image.planes[1][i] = Float(y) / Float(h) * 0.6 + 0.1
            image.planes[2][i] = x > w / 2 && y < h / 2 ? 6.5 : 0.25
        } }
        image.planes[0][3] = .nan
        image.planes[1][w * h - 2] = .infinity
        return image
    }

    func writePlate(frame: Int) throws {
        let header = ExrHeader(dataWindow: dataWindow, displayWindow: displayWindow, compression: .zip,
                               attributes: ["owner": .string("fixture"), "testdata:frame": .int(Int32(frame))])
        try ExrWriter.write(plateImage(frame: frame), header: header, to: plateURL(frame), pixelType: .half)
    }

    func writeShot(_ extra: String = "", output: String = "out/swap.####.exr", name: String = "shot.yaml") throws -> ShotConfig {
        let text = """
            shot: TEST
            plate: {path: plates/plate.####.exr}
            output: {path: \(output), compression: zip, layers: [rgba, mask, raw]}
            model: {path: model.plateswap}
            face: {size: 32}
            blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
            \(extra)
            """
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try ShotConfig.load(url)
    }
}

/// A face at a fixed place (rotated, in the middle of the data window) on every frame but `missing`.
struct FixedFaceProvider: FaceSource, FaceProvider {
    var missing: Set<Int> = []

    func open(shot: ShotConfig, plate: PlateSequence) throws -> any FaceProvider { self }
    var tracksDigest: String { "fixed" }

    func faces(frame: Int, plate: ImageBuffer, origin: (x: Int, y: Int), cropSize: Int) throws -> [SwapFace] {
        if missing.contains(frame) { return [] }
        let s = Double(cropSize)
        let m = Imaging.AffineTransform.translation(s / 2, s / 2)
            .concatenating(after: .rotation(0.2))
            .concatenating(after: .scale(0.9, 0.9))
            .concatenating(after: .translation(-Double(plate.width) / 2, -Double(plate.height) / 2))
        let mask = (0..<cropSize * cropSize).map { i -> Float in
            let dx = Double(i % cropSize) + 0.5 - s / 2, dy = Double(i / cropSize) + 0.5 - s / 2
            return (dx * dx + dy * dy).squareRoot() < s * 0.4 ? 1 : 0
        }
        return [SwapFace(plateToCrop: m, mask: mask, trackID: 0)]
    }
}

/// Darkens the crop: a visible, deterministic change.
struct DarkenSwapper: FaceSwapper {
    var cropSize = 32
    var identity: String { "darken-test" }
    func swap(_ crop: ImageBuffer) throws -> ImageBuffer {
        var out = crop
        for c in 0..<out.planes.count { out.planes[c] = out.planes[c].map { $0 * 0.5 } }
        return out
    }
}
