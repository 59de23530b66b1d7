import Foundation
import Imaging
import PlateIO
import XCTest

/// A synthetic shot for the `plateswap` binary: a 200x160 EXR plate (frames 1001-1003), a synthetic
/// tracks.json (a face on 1001 and 1002, none on 1003) and an empty model folder; every shot.yaml
/// of it runs with `--identity-swap`.
struct IdentityShot {
    static let frames = Array(1001...1003)
    static let window = PixelBox(width: 200, height: 160)
    let dir: URL

    init(_ name: String) throws {
        dir = try SyntheticShot.temporaryFolder(name)
        try SyntheticShot.writePlates(dir.appendingPathComponent("plates"), frames: Self.frames, window: Self.window)
        try writeTracks()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    /// tracks.json made from the plate as it is on disk now (again after a plate frame changed,
    /// or a run would track the shot again).
    func writeTracks() throws {
        try SyntheticShot.writeTracks(dir.appendingPathComponent("tracks.json"), plate: dir.appendingPathComponent("plates/plate.####.exr"),
                                      frames: Self.frames, cx: 100, cy: 80, side: 90, without: [1003])
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// Writes `name.yaml` (output into `name/`) with `output` keys and `extra` lines added.
    func writeShot(_ name: String, output: String = "", extra: String = "", tracks: String = "tracks.json") throws -> URL {
        let shot = dir.appendingPathComponent("\(name).yaml")
        try """
            shot: COMP
            plate: {path: plates/plate.####.exr}
            output: {path: \(name)/swap.####.exr, compression: zip, tracks: \(tracks)\(output.isEmpty ? "" : ", " + output)}
            model: {path: model.plateswap}
            face: {size: 128}
            blend: {mask_erode: 2, mask_blur: 4}
            \(extra)
            """.write(to: shot, atomically: true, encoding: .utf8)
        return shot
    }

    /// Writes and runs `name.yaml` (`plateswap run --identity-swap` plus `arguments`), expecting `status`.
    @discardableResult
    func run(_ name: String, output: String = "", extra: String = "", tracks: String = "tracks.json", arguments: [String] = [],
             environment: [String: String?] = [:], expect status: Int32 = 0,
             file: StaticString = #filePath, line: UInt = #line) throws -> FarmTools.Result {
        let shot = try writeShot(name, output: output, extra: extra, tracks: tracks)
        let result = try FarmTools.run(try FarmTools.plateswap(), ["run", shot.path, "--identity-swap"] + arguments,
                                       environment: environment)
        XCTAssertEqual(result.status, status, result.stderr, file: file, line: line)
        return result
    }

    func plate(_ frame: Int) throws -> ImageBuffer {
        try ExrImage.read(dir.appendingPathComponent(String(format: "plates/plate.%04d.exr", frame)), layer: nil).image
    }

    func output(_ name: String, _ frame: Int) throws -> (image: ImageBuffer, header: ExrHeader) {
        try ExrImage.read(dir.appendingPathComponent(String(format: "\(name)/swap.%04d.exr", frame)), layer: nil)
    }
}
