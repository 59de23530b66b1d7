import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import Neural
import PlateIO
import XCTest
@testable import ShotPipeline

/// The farm template through the real tools: `plateswap farm` writes it, `openjd check` validates
/// it, `openjd run` runs every step and task with the built plateswap binary on a small plate made
/// from the shared s18 clip with a tiny swap model and the real TAEF2 codec, and the frames must
/// equal a plain `plateswap shot.yaml` run bit for bit.
final class FarmOpenJDTests: XCTestCase {
    static let frames = Array(1001...1006)
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-farm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    /// A tiny random-initialised 64 px swap model for the shared TAEF2 codec: the farm tasks and
    /// the plain run load it and really encode, swap and decode.
    func writeTinyModel() throws {
        let codec = try CodecLoader.load(.taef2, searchPath: ModelSearchPath(folders: [FarmTools.shared.appendingPathComponent("models")]))
        let config = SwapModelConfig(archetype: .df, dims: .init(encoder: 8, decoder: 8, bottleneck: 16), vq: .init(enabled: false),
                                     codec: .init(id: "taef2", sha256: try codec.identity.sha256, channels: 32), resolution: 64)
        try ModelDirectory(url: dir.appendingPathComponent("model.plateswap")).save(
            model: SwapAutoencoder(config: config, seed: 5), optimizer: nil, state: TrainState(iteration: 1, seed: 5, learningRate: 1e-4))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Six s18 frames at half size (640x360), half-float PIZ EXRs keeping the plate's attributes.
    func writePlate() throws {
        for frame in Self.frames {
            let source = FarmTools.shared.appendingPathComponent(String(format: "data/plates/s18_piz/plate.%04d.exr", frame))
            let (image, header) = try ExrImage.read(source)
            let small = image.resized(width: 640, height: 360, filter: .area)
            var out = ExrHeader(dataWindow: PixelBox(width: 640, height: 360), compression: .piz)
            out.attributes = header.attributes.filter { ["framesPerSecond", "owner", "testdata:source"].contains($0.key) }
            try ExrWriter.write(small, header: out, to: dir.appendingPathComponent(String(format: "plates/plate.%04d.exr", frame)),
                                pixelType: .half)
        }
    }

    func writeShot(_ name: String) throws -> URL {
        let url = dir.appendingPathComponent("\(name).yaml")
        try """
            shot: FARMTEST
            plate: {path: plates/plate.####.exr}
            output: {path: \(name)/swap.####.exr, compression: zip, preview: \(name)/review.mp4}
            model: {path: model.plateswap}
            face: {size: 64, min_size: 32}
            blend: {learned_mask: false}   # the tiny untrained model's mask head predicts half a face everywhere
            """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func output(_ name: String, _ frame: Int) -> URL { dir.appendingPathComponent(String(format: "\(name)/swap.%04d.exr", frame)) }

    func check(_ result: FarmTools.Result, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 0, "\(what) failed:\n\(result.stdout.suffix(3000))\n\(result.stderr.suffix(3000))", file: file, line: line)
    }

    func testTemplatesPassOpenJDCheck() throws {
        let (plateswap, openjd) = (try FarmTools.plateswap(), try FarmTools.openjd())
        try writePlate()
        let shot = try writeShot("check")
        for chunking in ["list", "task-chunking"] {
            let job = dir.appendingPathComponent("job-\(chunking).yaml")
            check(try FarmTools.run(plateswap, ["farm", shot.path, "--chunk", "4", "--format", "openjd", "--chunking", chunking, "-o", job.path]), "plateswap farm")
            let result = try FarmTools.run(openjd, ["check", job.path])
            check(result, "openjd check (\(chunking))")
            XCTAssertTrue(result.stdout.contains("passes validation"), result.stdout)
        }
        // Template on stdout; a bad chunk size is a configuration error (exit 2).
        let printed = try FarmTools.run(plateswap, ["farm", shot.path, "--chunk", "2"])
        check(printed, "plateswap farm to stdout")
        XCTAssertEqual(try OpenJDTemplate.parse(yaml: printed.stdout).steps.map(\.name), ["track", "swap", "preview"])
        XCTAssertEqual(try FarmTools.run(plateswap, ["farm", shot.path, "--chunk", "0"]).status, 2)
        XCTAssertEqual(try FarmTools.run(plateswap, ["farm", shot.path, "--chunk", "2", "--chunking", "bogus"]).status, 64, "a usage error")
        // Exit codes of the other commands: a missing shot.yaml is a configuration error (2); a
        // contact sheet of frames not written yet fails (1) naming the file.
        XCTAssertEqual(try FarmTools.run(plateswap, ["track", dir.appendingPathComponent("nope.yaml").path]).status, 2)
        let sheet = try FarmTools.run(plateswap, ["contact-sheet", shot.path, "--frames", "1001", "-o", dir.appendingPathComponent("s.png").path])
        XCTAssertEqual(sheet.status, 1)
        XCTAssertTrue(sheet.stderr.contains("swap.1001.exr"), sheet.stderr)
        XCTAssertEqual(try FarmTools.run(plateswap, ["contact-sheet", shot.path, "--frames", "10-1", "-o", "s.png"]).status, 2)
    }

    func testOpenJDRunEqualsPlainRun() throws {
        let (plateswap, openjd) = (try FarmTools.plateswap(), try FarmTools.openjd())
        try writePlate()
        try writeTinyModel()
        let models: [String: String?] = ["PLATESWAP_MODELS": FarmTools.shared.appendingPathComponent("models").path]
        let farmShot = try writeShot("farm"), plainShot = try writeShot("plain"), chunkShot = try writeShot("chunked")

        // The farm job: track, two swap chunks (1001-1004, 1005-1006), preview.
        // The template carries the model folder: openjd runs the tasks without PLATESWAP_MODELS set,
        // in its own scratch folder.
        let job = dir.appendingPathComponent("job.yaml")
        check(try FarmTools.run(plateswap, ["farm", farmShot.path, "--chunk", "4", "--format", "openjd", "-o", job.path],
                                environment: models), "plateswap farm")
        check(try FarmTools.run(openjd, ["check", job.path]), "openjd check")
        let run = try FarmTools.run(openjd, ["run", job.path], in: dir, environment: ["PLATESWAP_MODELS": nil])
        check(run, "openjd run")
        for chunk in ["1001-1004", "1005-1006"] {
            let report = try RunReport.read(dir.appendingPathComponent("farm/report.\(chunk).json"))
            XCTAssertEqual(report.done, try FrameRange(parsing: chunk).frames)
            XCTAssertTrue(report.failed.isEmpty)
        }

        // The plain run of the same shot (the default command).
        check(try FarmTools.run(plateswap, [plainShot.path], environment: models), "plateswap shot.yaml")
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("farm/tracks.json")),
                       try Data(contentsOf: dir.appendingPathComponent("plain/tracks.json")), "tracking is deterministic")
        var masked = 0
        for frame in Self.frames {
            XCTAssertEqual(try Data(contentsOf: output("farm", frame)), try Data(contentsOf: output("plain", frame)),
                           "frame \(frame): the farm's output differs from the plain run")
            let (image, _) = try ExrImage.read(output("farm", frame))
            let mask = image[channel: "swap.A"]
            if mask.contains(where: { $0 > 0.5 }) { masked += 1 }
            // The model really ran: inside the mask the face is not the plate's.
            let (plate, _) = try ExrImage.read(dir.appendingPathComponent(String(format: "plates/plate.%04d.exr", frame)))
            let inside = (0..<mask.count).filter { mask[$0] > 0.9 }
            let changed = inside.filter { abs(image[channel: "G"][$0] - plate[channel: "G"][$0]) > 1e-3 }.count
            XCTAssertGreaterThan(changed, inside.count / 2, "frame \(frame): the swap model's face replaces the plate's")
        }
        XCTAssertEqual(masked, Self.frames.count, "the face is tracked and swapped on every frame")
        // The tracker writes each face's crop <- plate matrix for the model's 64 px crops.
        let document = try TracksDocument.read(from: dir.appendingPathComponent("farm/tracks.json"))
        XCTAssertEqual(document.alignment, .init(size: 64, faceType: .wholeFace))
        XCTAssertTrue(document.frames.allSatisfy { $0.faces.allSatisfy { $0.matrix?.count == 2 } })
        // Every task reported its progress to openjd.
        XCTAssertTrue(run.stdout.contains("openjd_progress: 100"), run.stdout.suffix(3000).description)

        // Both previews: six frames of plate | result.
        for name in ["farm", "plain"] {
            let info = try MovieInfo.probe(dir.appendingPathComponent("\(name)/review.mp4"), countFrames: true)
            XCTAssertEqual(info.frameCount, Self.frames.count)
            XCTAssertEqual(info.width, 1280)
            XCTAssertEqual(info.height, 360)
        }

        // `track` leaves up-to-date tracks alone, refuses (exit 2) to replace an unreadable file
        // without --force, and --force replaces it with the same result.
        let tracks = dir.appendingPathComponent("farm/tracks.json")
        let before = try Data(contentsOf: tracks)
        check(try FarmTools.run(plateswap, ["track", farmShot.path]), "plateswap track")
        XCTAssertEqual(try Data(contentsOf: tracks), before, "up-to-date tracks are kept")
        try Data("{}".utf8).write(to: tracks)
        let unreadable = try FarmTools.run(plateswap, ["track", farmShot.path])
        XCTAssertEqual(unreadable.status, 2, unreadable.stderr)
        XCTAssertTrue(unreadable.stderr.contains("delete it to track the shot again"), unreadable.stderr)
        XCTAssertEqual(try Data(contentsOf: tracks), Data("{}".utf8), "without --force, tracks.json is kept")
        check(try FarmTools.run(plateswap, ["track", farmShot.path, "--force"], environment: models), "plateswap track --force")
        XCTAssertEqual(try Data(contentsOf: tracks), before)

        // The TASK_CHUNKING variant (its track step finds tracks.json already there).
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("chunked"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: tracks, to: dir.appendingPathComponent("chunked/tracks.json"))
        let chunkJob = dir.appendingPathComponent("job-chunked.yaml")
        check(try FarmTools.run(plateswap, ["farm", chunkShot.path, "--chunk", "4", "--chunking", "task-chunking", "-o", chunkJob.path],
                                environment: models), "plateswap farm (task-chunking)")
        check(try FarmTools.run(openjd, ["run", chunkJob.path], in: dir, environment: ["PLATESWAP_MODELS": nil]), "openjd run (task-chunking)")
        for frame in Self.frames {
            XCTAssertEqual(try Data(contentsOf: output("chunked", frame)), try Data(contentsOf: output("plain", frame)),
                           "frame \(frame): the TASK_CHUNKING run differs from the plain run")
        }

        // A contact sheet of the farm's output folder through the CLI.
        let sheet = dir.appendingPathComponent("sheet.png")
        check(try FarmTools.run(plateswap, ["contact-sheet", dir.appendingPathComponent("farm").path, "--frames", "1001-1006x2",
                                            "-o", sheet.path, "--columns", "3", "--width", "960"]), "plateswap contact-sheet")
        let image = try PNGFile.read(sheet)
        XCTAssertEqual(image.width, 960)
        let grid = ContactSheet.Grid(count: 3, columns: 3, width: 960, aspect: 640.0 / 360.0)
        XCTAssertEqual(image.height, grid.height)
        XCTAssertEqual(readLabel(image, x: grid.origin(2).x, y: grid.origin(2).y + grid.cellHeight + ContactSheet.gap / 4,
                                 scale: grid.textScale, count: 4), "1005")
    }
}
