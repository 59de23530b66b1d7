import Foundation
import LatentSwapModel
import XCTest
@testable import ShotPipeline

/// train.yaml declares no default of its own: a key it leaves out keeps the trainer's
/// (`TrainOptions`), the model's (`SwapModelConfig`) or the crop variants' (`CropVariants`)
/// default, so a default changed in that one place is the one train.yaml gets. README's
/// train.yaml table documents those defaults, and each one it names, written out, changes nothing.
final class TrainDefaultsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-traindefaults-\(UUID().uuidString)")
        for sub in ["facesets/actor", "facesets/stunt"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func load(_ extra: String) throws -> TrainConfig {
        let url = folder.appendingPathComponent("train.yaml")
        try "model: m.plateswap\nsource: facesets/actor\ntarget: facesets/stunt\n\(extra)\n".write(to: url, atomically: true, encoding: .utf8)
        return try TrainConfig.load(url, displayName: "train.yaml")
    }

    func testAbsentKeysTakeTheTrainerAndModelDefaults() throws {
        let config = try load("")
        XCTAssertEqual(config.options, TrainOptions())
        XCTAssertEqual(config.architecture, SwapModelConfig(codec: config.architecture.codec, resolution: 256))
        XCTAssertEqual(config.variants, CropVariants())
        // A key given changes that setting only.
        var expected = TrainOptions()
        expected.batchSize = 3
        XCTAssertEqual(try load("batch_size: 3").options, expected)
    }

    /// Every default README's train.yaml table gives (`key` | `default`), written into a yaml,
    /// parses to the same settings as leaving the key out.
    func testReadmeDefaultsAreTheDefaults() throws {
        let readme = try String(contentsOf: TrainFixtures.repo.appendingPathComponent("README.md"), encoding: .utf8)
        let table = try XCTUnwrap(readme.components(separatedBy: "\n## train.yaml\n").dropFirst().first)
            .components(separatedBy: "\n\n")[1].split(separator: "\n").filter { $0.hasPrefix("| `") }
        var sections: [String: [String]] = [:], lines: [String] = []
        for row in table {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let keys = Self.quoted(cells[0])
            let defaults = cells[1].components(separatedBy: ", ").map { Self.quoted($0).first }
            guard keys.count == defaults.count else { XCTFail("\(row): \(keys.count) keys, \(defaults.count) defaults"); continue }
            for (key, value) in zip(keys, defaults) {
                guard let value else { continue }
                let path = key.split(separator: ".").map(String.init)
                if path.count == 2 { sections[path[0], default: []].append("\(path[1]): \(value)") } else { lines.append("\(key): \(value)") }
            }
        }
        XCTAssertGreaterThan(lines.count + sections.values.map(\.count).reduce(0, +), 30, "the table's defaults were found")
        let written = (lines + sections.sorted { $0.key < $1.key }.map { "\($0.key): {\($0.value.joined(separator: ", "))}" })
            .joined(separator: "\n")
        XCTAssertEqual(try load(written), try load(""), written)
    }

    /// The backquoted words of a table cell.
    static func quoted(_ cell: String) -> [String] {
        cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }
}
