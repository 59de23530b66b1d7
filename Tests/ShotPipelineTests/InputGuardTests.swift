import Foundation
import Imaging
import PlateIO
import Support
import XCTest
@testable import ShotPipeline

/// Issue 16, item 1: inputs are read-only. Every way of spelling an output onto an input (frame
/// patterns, `..`, symlinked folders, hard links) is refused by the built binary with exit 2 and a
/// line naming both files, before anything is written; every input's sha256 is unchanged.
final class InputGuardTests: XCTestCase {
    var dir: URL!
    let frames = [1001, 1002, 1003]
    let fm = FileManager.default

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("guard")
        try SyntheticShot.writePlates(dir.appendingPathComponent("plates"), frames: frames, window: PixelBox(width: 160, height: 120))
        try SyntheticShot.writeTracks(dir.appendingPathComponent("tracks.json"), plate: dir.appendingPathComponent("plates/plate.####.exr"), frames: frames, cx: 80, cy: 60, side: 64)
        try fm.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("model.plateswap/config.json"))
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("link").path, withDestinationPath: "plates")
    }

    override func tearDownWithError() throws { if let dir { try? fm.removeItem(at: dir) } }

    /// sha256 of every file under `dir` except what the runs may add (outputs, logs).
    func hashes(_ folders: [String] = ["plates", "model.plateswap", "tracks.json"]) throws -> [String: String] {
        var result: [String: String] = [:]
        for folder in folders {
            let url = dir.appendingPathComponent(folder)
            let files = fm.enumerator(atPath: url.path).map { ($0.allObjects as? [String]) ?? [] } ?? []
            for name in files.isEmpty ? [""] : files {
                let file = name.isEmpty ? url : url.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                result[folder + "/" + name] = try SHA256.hex(fileAt: file)
            }
        }
        return result
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = try SyntheticShot.binary()
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errURL = dir.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        fm.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? fm.removeItem(at: errURL) }
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try err.close()
        return (process.terminationStatus, try String(contentsOf: errURL, encoding: .utf8))
    }

    func writeShot(_ name: String, output: String, extra: String = "", tracks: String = "tracks.json",
                   plate: String = "{path: plates/plate.####.exr}") throws {
        try """
            shot: GUARD
            plate: \(plate)
            output: {path: \(output), compression: zip, tracks: \(tracks)\(extra)}
            model: {path: model.plateswap}
            face: {size: 32}
            blend: {mask_erode: 1, mask_blur: 2}
            """.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Runs `arguments`; expects exit 2, a message naming `output` and `input` (file names), and no input changed.
    func assertRefused(_ arguments: [String], output: String, input: String, inputs: [String]? = nil,
                       _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try inputs.map { try hashes($0) } ?? hashes()
        let (status, stderr) = try run(arguments)
        XCTAssertEqual(status, 2, "\(what): \(stderr)", file: file, line: line)
        XCTAssertTrue(stderr.contains("would overwrite"), "\(what): \(stderr)", file: file, line: line)
        XCTAssertTrue([output, input].allSatisfy { $0.isEmpty || stderr.contains($0) }, "\(what) names both files: \(stderr)", file: file, line: line)
        XCTAssertEqual(try inputs.map { try hashes($0) } ?? hashes(), before, "\(what): inputs changed", file: file, line: line)
    }

    func testEverySpellingOfAnOutputOntoThePlateIsRefused() throws {
        try fm.createDirectory(at: dir.appendingPathComponent("hard"), withIntermediateDirectories: true)
        try fm.linkItem(at: dir.appendingPathComponent("plates/plate.1002.exr"), to: dir.appendingPathComponent("hard/swap.1002.exr"))
        let cases: [(output: String, extra: String, tracks: String, collides: String, with: String, what: String)] = [
            ("plates/plate.%04d.exr", "", "tracks.json", "plate.1001.exr", "plate.1001.exr", "printf pattern in the plate folder"),
            ("out/../plates/plate.@@@@.exr", "", "tracks.json", "plate.1001.exr", "plate.1001.exr", "a ../ detour"),
            ("link/plate.$F4.exr", "", "tracks.json", "link/plate.1001.exr", "plates/plate.1001.exr", "$F4 through a symlinked folder"),
            ("hard/swap.####.exr", "", "tracks.json", "hard/swap.1002.exr", "plates/plate.1002.exr", "a hard link of a plate frame"),
            ("out/swap.####.exr", ", report: link/plate.1003.exr", "tracks.json", "link/plate.1003.exr", "plates/plate.1003.exr",
             "output.report onto a plate frame"),
            ("out/swap.####.exr", ", report: model.plateswap/../model.plateswap/config.json", "tracks.json", "config.json",
             "model.plateswap/config.json", "output.report onto a model file"),
            ("out/swap.####.exr", "", "link/plate.1002.exr", "link/plate.1002.exr", "plates/plate.1002.exr", "output.tracks onto a plate frame"),
        ]
        for c in cases {
            try writeShot("shot.yaml", output: c.output, extra: c.extra, tracks: c.tracks)
            try assertRefused(["shot.yaml", "--identity-swap"], output: c.collides, input: c.with, "run: \(c.what)")
            // A chunk is refused too (which frame it names first depends on what is on disk).
            try assertRefused(["run", "shot.yaml", "--identity-swap", "--frames", "1002-1003"], output: "", input: "",
                              "chunk: \(c.what)")
            XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("out").path), "\(c.what): nothing is written")
        }
    }

    /// `track` refuses before tracking (no tracks.json appears), `preview -o`, `contact-sheet -o`
    /// and `codec roundtrip` onto a plate frame, `farm -o` onto the shot.yaml or the plate.
    func testTrackPreviewAndFarmRefuseTheirOutputsOnInputs() throws {
        try writeShot("shot.yaml", output: "link/plate.$F4.exr", tracks: "fresh/tracks.json")
        try assertRefused(["track", "shot.yaml"], output: "link/plate.1001.exr", input: "plates/plate.1001.exr", "track")
        XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("fresh").path), "track wrote nothing")

        try writeShot("shot.yaml", output: "out/swap.####.exr")
        try assertRefused(["preview", "shot.yaml", "-o", "link/../link/plate.1001.exr"], output: "plate.1001.exr",
                          input: "plates/plate.1001.exr", "preview -o")

        try assertRefused(["contact-sheet", "shot.yaml", "--frames", "1001", "-o", "link/plate.1003.exr"],
                          output: "link/plate.1003.exr", input: "plates/plate.1003.exr", "contact-sheet -o")

        try fm.createDirectory(at: dir.appendingPathComponent("jobs"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("jobs/up").path, withDestinationPath: "..")
        try assertRefused(["farm", "shot.yaml", "--chunk", "2", "-o", "jobs/up/shot.yaml"], output: "jobs/up/shot.yaml",
                          input: "shot.yaml", inputs: ["plates", "model.plateswap", "shot.yaml"], "farm -o onto the shot.yaml")
        try assertRefused(["farm", "shot.yaml", "--chunk", "2", "-o", "link/plate.1002.exr"], output: "link/plate.1002.exr",
                          input: "plates/plate.1002.exr", "farm -o onto a plate frame")
        XCTAssertEqual(try run(["farm", "shot.yaml", "--chunk", "2", "-o", "jobs/job.yaml"]).status, 0)
        try assertRefused(["codec", "roundtrip", "plates/plate.1001.exr", "link/plate.1001.exr"], output: "link/plate.1001.exr",
                          input: "plates/plate.1001.exr", "codec roundtrip onto its input")
    }

    /// Output in another folder, or beside the plate under other names: runs and leaves the plate alone.
    func testLegitimateShotsStillRun() throws {
        let before = try hashes()
        for (name, output) in [("other.yaml", "out/swap.####.exr"), ("beside.yaml", "plates/swap.####.exr")] {
            try writeShot(name, output: output)
            let (status, stderr) = try run([name, "--identity-swap"])
            XCTAssertEqual(status, 0, "\(output): \(stderr)")
            for frame in frames {
                XCTAssertTrue(fm.fileExists(atPath: dir.appendingPathComponent(output.replacingOccurrences(of: "####", with: "\(frame)")).path))
            }
        }
        var after = try hashes()
        after = after.filter { !$0.key.contains("swap.") && !$0.key.hasSuffix("report.json") }
        XCTAssertEqual(after, before)
    }

    /// Issue 16's error items on the same path: an output folder that cannot be made, an EXR
    /// plate without a frame pattern, a pattern matching no file with `plate.frames` set: exit 2
    /// with one plain line, before tracking, and no tracks.json left behind.
    func testBadOutputFoldersAndPlatePathsExitTwoBeforeTracking() throws {
        let cases: [(plate: String, output: String, tracks: String, command: [String], message: String)] = [
            ("{path: plates/plate.####.exr}", "out/swap.####.exr", "plates/plate.1001.exr/fresh/tracks.json", ["track", "shot.yaml"],
             "output.tracks: cannot write"),
            ("{path: plates/plate.####.exr}", "plates/plate.1002.exr/out/swap.####.exr", "fresh/tracks.json",
             ["shot.yaml", "--identity-swap"], "plate.1002.exr is a file, not a folder"),
            ("{path: plates/plate.1001.exr}", "out/swap.####.exr", "fresh/tracks.json", ["shot.yaml", "--identity-swap"],
             "shot.yaml:2: plate.path: an EXR plate needs a frame pattern"),
            ("{path: plates/none.####.exr, frames: 1001-1003}", "out/swap.####.exr", "fresh/tracks.json",
             ["shot.yaml", "--identity-swap"], "no plate frames match"),
        ]
        for c in cases {
            try writeShot("shot.yaml", output: c.output, tracks: c.tracks, plate: c.plate)
            let before = try hashes()
            let (status, stderr) = try run(c.command)
            XCTAssertEqual(status, 2, "\(c.message): \(stderr)")
            XCTAssertTrue(stderr.contains(c.message), "\(c.message): \(stderr)")
            XCTAssertFalse(stderr.contains("NSCocoaErrorDomain"), stderr)
            XCTAssertEqual(try hashes(), before)
            XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("fresh").path), "\(c.message): nothing is written")
            XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("out").path), "\(c.message): nothing is written")
        }
    }

    // MARK: extract

    /// Images named as a face set's crops: what `extract --out` could overwrite or remove as stale.
    func writeCrops(_ folder: String, count: Int) throws {
        let url = dir.appendingPathComponent(folder)
        try fm.createDirectory(at: url, withIntermediateDirectories: true)
        for i in 0..<count {
            let image = ImageBuffer(width: 16, height: 16, channels: ["R", "G", "B"], fill: Float(i + 1) / 8)
            try PNGFile.write(image, bitDepth: 8, to: url.appendingPathComponent(String(format: "%06d.png", i)))
        }
    }

    func testExtractRefusesAnOutputThatOverwritesItsInputs() throws {
        try writeCrops("set/faces", count: 3)
        try writeCrops("photos", count: 2)
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("alias").path, withDestinationPath: "set")
        try fm.createDirectory(at: dir.appendingPathComponent("other/faces"), withIntermediateDirectories: true)
        try fm.linkItem(at: dir.appendingPathComponent("photos/000001.png"), to: dir.appendingPathComponent("other/faces/000007.png"))
        let inputs = ["set", "photos"]
        try assertRefused(["extract", "set/faces", "--out", "set"], output: "set/faces/000000.png", input: "set/faces/000000.png",
                          inputs: inputs, "photos in DIR/faces")
        try assertRefused(["extract", "set/faces/######.png", "--out", "set/faces/.."], output: "000000.png",
                          input: "set/faces/000000.png", inputs: inputs, "a sequence and a ../ detour")
        try assertRefused(["extract", "set/faces", "--out", "alias"], output: "alias/faces/000000.png",
                          input: "set/faces/000000.png", inputs: inputs, "a symlinked --out")
        try assertRefused(["extract", "photos", "--out", "other"], output: "other/faces/000007.png",
                          input: "photos/000001.png", inputs: inputs, "a hard link in DIR/faces")

        // The photos' own folder as --out writes only photos/faces, photos/masks and faceset.json: allowed.
        XCTAssertNoThrow(try InputGuard.checkExtract(FaceImageSource(path: dir.appendingPathComponent("photos").path),
                                                     into: dir.appendingPathComponent("photos")))
        XCTAssertNoThrow(try InputGuard.checkExtract(FaceImageSource(path: dir.appendingPathComponent("set/faces").path),
                                                     into: dir.appendingPathComponent("set2")))
    }

    // MARK: train

    func writeTrain(model: String, target: String, extra: String = "") throws -> URL {
        let url = dir.appendingPathComponent("train.yaml")
        try "model: \(model)\nsource: facesets/actor\ntarget: \(target)\nresolution: 64\n\(extra)"
            .write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The model directory is plateswap's to rename and prune: it may not be a face set, sit inside
    /// one or hold one. Refused before the codec loads (no weights needed) and nothing is written.
    func testTrainRefusesAModelDirectoryInOrAroundAFaceSet() throws {
        try TrainFixtures.makeFaceSet(at: dir.appendingPathComponent("facesets/actor"), count: 2, hue: [0.9, 0.7, 0.6], seed: 1)
        try TrainFixtures.makeFaceSet(at: dir.appendingPathComponent("models/m.plateswap/stunt"), count: 2, hue: [0.5, 0.6, 0.9], seed: 2)
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("sets").path, withDestinationPath: "facesets")
        let empty = dir.appendingPathComponent("no-models")
        try fm.createDirectory(at: empty, withIntermediateDirectories: true)
        let inputs = ["facesets", "models"]
        try fm.createDirectory(at: dir.appendingPathComponent("models/generic.plateswap"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("models/generic.plateswap/config.json"))
        let cases: [(model: String, target: String, extra: String, what: String)] = [
            ("sets/actor", "models/m.plateswap/stunt", "", "the source face set through a symlink"),
            ("sets/actor/new.plateswap", "models/m.plateswap/stunt", "", "a new model inside the source face set"),
            ("models/m.plateswap", "models/m.plateswap/stunt", "", "the target face set inside the model"),
            ("models/../models/generic.plateswap", "models/m.plateswap/stunt", "init_from: models/generic.plateswap\n",
             "training over the init_from model"),
        ]
        for c in cases {
            _ = try writeTrain(model: c.model, target: c.target, extra: c.extra)
            let before = try hashes(inputs)
            let (status, stderr) = try run(["train", "train.yaml", "--iterations", "1"], environment: ["PLATESWAP_MODELS": empty.path])
            XCTAssertEqual(status, 2, "\(c.what): \(stderr)")
            XCTAssertTrue(stderr.contains("would overwrite") && (stderr.contains("face set") || stderr.contains("init_from")),
                          "\(c.what): \(stderr)")
            XCTAssertEqual(try hashes(inputs), before, c.what)
            XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("facesets/actor/new.plateswap").path), c.what)
        }
        // A model beside the face sets passes the check.
        let config = try TrainConfig.load(try writeTrain(model: "models/other.plateswap", target: "models/m.plateswap/stunt"))
        XCTAssertNoThrow(try InputGuard.checkTrain(config))
    }
}
