import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// The whole per-frame pipeline on synthetic EXR plates with a fixed face and a tiny swapper.
final class PipelineTests: XCTestCase {
    func run(_ config: ShotConfig, _ options: ShotRunner.Options = .init(), missing: Set<Int> = []) throws -> RunReport {
        try ShotRunner(config: config, faces: FixedFaceProvider(missing: missing), swapper: DarkenSwapper()).run(options)
    }

    func testFramesAreSwappedInsideTheMaskOnlyAndCarryTheHeader() throws {
        let fixture = try ShotFixture()
        defer { fixture.remove() }
        let config = try fixture.writeShot()
        let report = try run(config, missing: [1003])
        XCTAssertEqual(report.done, fixture.frames)
        XCTAssertEqual(report.noFace, [1003])
        XCTAssertTrue(report.failed.isEmpty)
        XCTAssertEqual(try RunReport.read(config.output.report), report)
        for frame in fixture.frames {
            let (plate, _) = try ExrImage.read(fixture.plateURL(frame))
            let (out, header) = try ExrImage.read(fixture.outputURL(frame))
            XCTAssertEqual(Set(out.channelNames), ["R", "G", "B", "A", "swap.A", "swap.R", "swap.G", "swap.B"])
            XCTAssertEqual(header.attributes["owner"], .string("fixture"))
            XCTAssertEqual(header.attributes["testdata:frame"], .int(Int32(frame)))
            XCTAssertEqual(header.attributes["plateswap:version"], .string(PlateswapVersion.string))
            XCTAssertEqual(header.attributes["plateswap:model"], .string("darken-test"))
            XCTAssertEqual(header.attributes["plateswap:config_hash"], .string(report.configHash))
            XCTAssertEqual(header.compression, .zip)
            let mask = out[channel: "swap.A"]
            var inside = 0
            for c in ["R", "G", "B", "A"] {
                let (p, o) = (plate[channel: c], out[channel: c])
                for i in 0..<plate.pixelCount where mask[i] == 0 || c == "A" {
                    XCTAssertEqual(p[i].bitPattern, o[i].bitPattern, "frame \(frame) \(c)[\(i)] changed outside the mask")
                }
                for i in 0..<plate.pixelCount where mask[i] > 0.9 && c == "G" {
                    inside += 1
                    XCTAssertLessThan(o[i], p[i], "the darkening swap shows inside the mask")
                }
            }
            if frame == 1003 {
                XCTAssertTrue(mask.allSatisfy { $0 == 0 }, "a frame without a face has an all-zero mask")
            } else {
                XCTAssertGreaterThan(inside, 200)
                // The highlight above 1 inside the face keeps its excess over what the codec can see.
                let b = out[channel: "B"]
                XCTAssertTrue(zip(b, mask).contains { $0 > 5 && $1 > 0.9 }, "HDR values survive under the mask")
            }
        }
    }

    func testChunkedRunEqualsFullRunAndResumeSkips() throws {
        let fixture = try ShotFixture()
        defer { fixture.remove() }
        let full = try fixture.writeShot(output: "full/swap.####.exr", name: "full.yaml")
        let chunked = try fixture.writeShot(output: "chunk/swap.####.exr", name: "chunk.yaml")
        _ = try run(full)
        _ = try run(chunked, .init(frames: [1001, 1002]))
        let second = try run(chunked, .init(frames: [1003, 1004]))
        XCTAssertEqual(second.done, [1003, 1004])
        XCTAssertTrue(FileManager.default.fileExists(atPath: fixture.dir.appendingPathComponent("chunk/report.1003-1004.json").path))
        for frame in fixture.frames {
            let a = try Data(contentsOf: fixture.outputURL(frame, folder: "full"))
            let b = try Data(contentsOf: fixture.outputURL(frame, folder: "chunk"))
            XCTAssertEqual(a, b, "frame \(frame): chunked output differs from the full run")
        }
        // A re-run skips every frame; --force redoes them; a changed blend setting redoes them too.
        let again = try run(full)
        XCTAssertEqual(again.skipped, fixture.frames)
        XCTAssertTrue(again.done.isEmpty)
        XCTAssertEqual(try run(full, .init(frames: [1002], force: true)).done, [1002])
        var changed = full
        changed.blend.maskBlur = 3
        let redone = try run(changed)
        XCTAssertEqual(redone.done, fixture.frames)
        XCTAssertNotEqual(redone.configHash, again.configHash)
    }

    func testCorruptAndMissingFramesWithBothPolicies() throws {
        let fixture = try ShotFixture(frames: Array(1001...1005))
        defer { fixture.remove() }
        // Frame 1002 is truncated, 1004 is gone.
        let bytes = try Data(contentsOf: fixture.plateURL(1002))
        try bytes.prefix(bytes.count / 2).write(to: fixture.plateURL(1002))
        try FileManager.default.removeItem(at: fixture.plateURL(1004))

        var failing = try fixture.writeShot().withOutput("fail")
        failing.plate.frames = Array(1001...1005)
        let stopped = try run(failing)
        XCTAssertEqual(stopped.done, [1001])
        XCTAssertEqual(stopped.failed.map(\.frame), [1002])
        XCTAssertTrue(stopped.failed[0].error.contains("plate.1002.exr"), stopped.failed[0].error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.outputURL(1003, folder: "fail").path))

        var skipping = failing.withOutput("skip")
        skipping.onError = .skip
        let skipped = try run(skipping)
        XCTAssertEqual(skipped.done, [1001, 1003, 1005])
        XCTAssertEqual(skipped.failed.map(\.frame), [1002, 1004])
        XCTAssertTrue(skipped.failed[1].error.contains("missing"), skipped.failed[1].error)
    }

    func testDataWindowSmallerThanDisplayWindow() throws {
        let fixture = try ShotFixture(frames: [1001], dataWindow: PixelBox(xMin: 20, yMin: 10, xMax: 115, yMax: 81),
                                      displayWindow: PixelBox(width: 160, height: 100))
        defer { fixture.remove() }
        let config = try fixture.writeShot()
        XCTAssertEqual(try run(config).done, [1001])
        let (plate, _) = try ExrImage.read(fixture.plateURL(1001))
        let (out, header) = try ExrImage.read(fixture.outputURL(1001))
        XCTAssertEqual(header.dataWindow, fixture.dataWindow)
        XCTAssertEqual(header.displayWindow, fixture.displayWindow)
        let mask = out[channel: "swap.A"]
        XCTAssertGreaterThan(mask.filter { $0 > 0.9 }.count, 200)
        for i in 0..<plate.pixelCount where mask[i] == 0 {
            XCTAssertEqual(plate[channel: "R"][i].bitPattern, out[channel: "R"][i].bitPattern)
        }
    }
}

extension ShotConfig {
    /// The same shot writing into another folder.
    func withOutput(_ folder: String) -> ShotConfig {
        var copy = self
        let dir = source.deletingLastPathComponent().appendingPathComponent(folder)
        copy.output.path = dir.appendingPathComponent("swap.####.exr")
        copy.output.report = dir.appendingPathComponent("report.json")
        return copy
    }
}
