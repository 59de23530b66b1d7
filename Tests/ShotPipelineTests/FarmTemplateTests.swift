import Foundation
import Neural
import PlateIO
import XCTest
@testable import ShotPipeline

/// Frame-list text, chunks and the OpenJD template's structure (no external programs).
final class FarmTemplateTests: XCTestCase {
    func testFrameListsFormatShortAndParseBack() throws {
        XCTAssertEqual(FrameChunks.format(Array(1001...1096)), "1001-1096")
        XCTAssertEqual(FrameChunks.format(Array(stride(from: 1001, through: 1095, by: 2))), "1001-1095x2")
        XCTAssertEqual(FrameChunks.format(Array(stride(from: 1001, through: 1095, by: 2)), stepSeparator: ":"), "1001-1095:2")
        XCTAssertEqual(FrameChunks.format([1001, 1002, 1005, 1009, 1010, 1011, 1013]), "1001-1002,1005,1009-1011,1013")
        XCTAssertEqual(FrameChunks.format([-2, -1, 0, 1]), "-2-1")
        XCTAssertEqual(try FrameRange(parsing: "1001-1007:2,1010").frames, [1001, 1003, 1005, 1007, 1010])
        var random = SeededRandom(seed: 42)
        for _ in 0..<200 {
            var frames = Set<Int>()
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                frames.insert(Int.random(in: -20...80, using: &random))
            }
            let sorted = frames.sorted()
            XCTAssertEqual(try FrameRange(parsing: FrameChunks.format(sorted)).frames, sorted)
            XCTAssertEqual(try FrameRange(parsing: FrameChunks.format(sorted, stepSeparator: ":")).frames, sorted)
        }
    }

    func testChunksCoverTheShotExactlyOnce() throws {
        let frames = Array(stride(from: 1001, through: 1049, by: 2)) + [1060, 1061, 1062, 1100]
        let job = FarmJob(config: try fixtureConfig(), frames: frames)
        for size in [1, 3, 8, 100] {
            let specs = job.chunkSpecs(size: size)
            XCTAssertEqual(specs.count, (frames.count + size - 1) / size)
            let parsed = try specs.map { try FrameRange(parsing: $0).frames }
            XCTAssertTrue(parsed.allSatisfy { $0.count <= size })
            XCTAssertEqual(parsed.flatMap { $0 }, frames, "chunks of \(size) must list every frame once, in order")
        }
    }

    func testListTemplateHasTrackThenSwapChunks() throws {
        let config = try fixtureConfig()
        let job = FarmJob(config: config, frames: Array(1001...1010))
        let binary = URL(fileURLWithPath: "/opt/plateswap/bin/plateswap")
        let models = [URL(fileURLWithPath: "/srv/models"), URL(fileURLWithPath: "/opt/plateswap/models")]
        let template = try job.openJDTemplate(.init(chunkSize: 4, plateswap: binary, modelFolders: models))
        XCTAssertEqual(template.specificationVersion, "jobtemplate-2023-09")
        XCTAssertNil(template.extensions)
        XCTAssertEqual(template.steps.map(\.name), ["track", "swap"])
        XCTAssertEqual(template.parameterDefinitions.map(\.name), ["Plateswap", "ShotFile", "Models"])
        XCTAssertEqual(template.parameterDefinitions.map(\.type), ["STRING", "STRING", "STRING"])
        XCTAssertEqual(template.parameterDefinitions[2].default, .string("/srv/models:/opt/plateswap/models"))
        XCTAssertEqual(template.jobEnvironments?.first?.variables, ["PLATESWAP_MODELS": "{{Param.Models}}"])
        XCTAssertEqual(template.parameterDefinitions[0].default, .string("/opt/plateswap/bin/plateswap"))
        XCTAssertEqual(template.parameterDefinitions[1].default, .string(config.source.path))
        XCTAssertTrue(config.source.path.hasPrefix("/"))
        let (track, swap) = (template.steps[0], template.steps[1])
        XCTAssertNil(track.parameterSpace)
        XCTAssertEqual(track.script.actions.onRun.command, "{{Param.Plateswap}}")
        XCTAssertEqual(track.script.actions.onRun.args, ["track", "{{Param.ShotFile}}"])
        XCTAssertEqual(swap.dependencies, [.init(dependsOn: "track")])
        XCTAssertEqual(swap.script.actions.onRun.args, ["run", "{{Param.ShotFile}}", "--frames", "{{Task.Param.Frames}}"])
        let frames = try XCTUnwrap(swap.parameterSpace?.taskParameterDefinitions.first)
        XCTAssertEqual(frames.type, "STRING")
        XCTAssertEqual(frames.range, .list(["1001-1004", "1005-1008", "1009-1010"]))
        // The YAML reads back as the same template.
        XCTAssertEqual(try OpenJDTemplate.parse(yaml: try template.yaml()), template)

        var previewing = config
        previewing.output.preview = config.source.deletingLastPathComponent().appendingPathComponent("review.mp4")
        let withPreview = try FarmJob(config: previewing, frames: [1001]).openJDTemplate(
            .init(chunkSize: 4, plateswap: binary, identitySwap: true))
        XCTAssertEqual(withPreview.steps.map(\.name), ["track", "swap", "preview"])
        XCTAssertEqual(withPreview.steps[2].dependencies, [.init(dependsOn: "swap")])
        XCTAssertEqual(withPreview.steps[2].script.actions.onRun.args, ["preview", "{{Param.ShotFile}}"])
        XCTAssertEqual(withPreview.steps[1].script.actions.onRun.args?.last, "--identity-swap")
        XCTAssertNil(withPreview.jobEnvironments, "no model folders known: the workers' PLATESWAP_MODELS stays as it is")
        XCTAssertFalse(withPreview.parameterDefinitions.contains { $0.name == "Models" })
    }

    func testTaskChunkingTemplateUsesAChunkRange() throws {
        let frames = Array(stride(from: 1001, through: 1041, by: 2)) + [1050]
        let job = FarmJob(config: try fixtureConfig(), frames: frames)
        let template = try job.openJDTemplate(.init(chunkSize: 5, plateswap: URL(fileURLWithPath: "/bin/plateswap"), chunking: .taskChunking))
        XCTAssertEqual(template.extensions, ["TASK_CHUNKING"])
        let parameters = Dictionary(uniqueKeysWithValues: template.parameterDefinitions.map { ($0.name, $0) })
        guard case let .string(range)? = parameters["Frames"]?.default else { return XCTFail("Frames has no default") }
        XCTAssertEqual(try FrameRange(parsing: range).frames, frames)
        XCTAssertEqual(range, "1001-1041:2,1050")
        XCTAssertEqual(parameters["ChunkSize"]?.default, .int(5))
        let chunk = try XCTUnwrap(template.steps[1].parameterSpace?.taskParameterDefinitions.first)
        XCTAssertEqual(chunk.type, "CHUNK[INT]")
        XCTAssertEqual(chunk.range, .expression("{{Param.Frames}}"))
        XCTAssertEqual(chunk.chunks, .init(defaultTaskCount: "{{Param.ChunkSize}}", rangeConstraint: "NONCONTIGUOUS"))
        XCTAssertEqual(try OpenJDTemplate.parse(yaml: try template.yaml()), template)
    }

    func testImpossibleChunkingIsAConfigurationError() throws {
        let binary = URL(fileURLWithPath: "/bin/plateswap")
        let job = FarmJob(config: try fixtureConfig(), frames: Array(1...2000))
        for (size, mode, message) in [(0, FarmJob.Chunking.list, "at least 1"), (1, .list, "at most 1024"), (151, .taskChunking, "at most 150")] {
            XCTAssertThrowsError(try job.openJDTemplate(.init(chunkSize: size, plateswap: binary, chunking: mode))) { error in
                guard case let PipelineError.configuration(text) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(text.contains(message), text)
            }
        }
        XCTAssertNoThrow(try job.openJDTemplate(.init(chunkSize: 2, plateswap: binary)))
    }

    private var fixtures: [ShotFixture] = []

    override func tearDown() {
        fixtures.forEach { $0.remove() }
        fixtures = []
    }

    private func fixtureConfig() throws -> ShotConfig {
        let fixture = try ShotFixture(frames: [1001])
        fixtures.append(fixture)
        return try fixture.writeShot()
    }
}
