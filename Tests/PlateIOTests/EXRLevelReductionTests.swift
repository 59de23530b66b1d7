import Foundation
import Imaging
import XCTest
@testable import PlateIO

/// `ExrLevelReduction` makes the levels OpenEXR's own `exrmaketiled` makes from the same level 0:
/// the tool tiles a scanline file written here, and every reduced level it stored must equal ours
/// sample for sample (half and float channels, mip- and ripmaps, both roundings, every extrapolation).
final class EXRLevelReductionTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try ExrTestData.temporaryFolder("level-reduction") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Odd sizes (a non-square 45x30, so level sizes round and the short side reaches 1 first),
    /// values with detail at every scale, and a float channel beside the half ones.
    static func levelZero(width: Int = 45, height: Int = 30) -> ImageBuffer {
        let planes = (0..<4).map { c in
            (0..<(width * height)).map { i -> Float in
                let (x, y) = (Float(i % width), Float(i / width))
                return sin(x * 0.37 + Float(c)) * cos(y * 0.21) * 2 + Float((i * 7 + c * 13) % 17) / 17 + (c == 3 ? x * 100.25 : 0)
            }
        }
        return ImageBuffer(width: width, height: height, channels: ["R", "G", "B", "Z"], planes: planes)
    }

    func testLevelsEqualExrmaketiledSampleForSample() throws {
        let source = dir.appendingPathComponent("level0.exr")
        try ExrWriter.write(Self.levelZero(), to: source, compression: .zip, pixelType: .half, channelTypes: ["Z": .float])
        let cases: [(name: String, arguments: [String])] = [
            ("mip-down-clamp", ["-m", "-d", "-t", "16", "16"]),
            ("mip-up-black", ["-m", "-u", "-t", "8", "8", "-e", "black", "black"]),
            ("rip-down-periodic-mirror", ["-r", "-d", "-t", "16", "8", "-e", "periodic", "mirror"]),
            ("rip-up-mirror-clamp", ["-r", "-u", "-t", "32", "32", "-e", "mirror", "clamp"]),
        ]
        for item in cases {
            let tiled = dir.appendingPathComponent("\(item.name).exr")
            let run = try ExrTestData.run("exrmaketiled", item.arguments + [source.path, tiled.path])
            XCTAssertEqual(run.status, 0, "\(item.name): \(run.err)")
            let reference = try ExrImage.readPart(tiled, part: 0)
            let tiles = try XCTUnwrap(reference.header.tiles, item.name)
            XCTAssertGreaterThan(reference.levels.count, 4, item.name)
            let types = reference.image.channelNames.map { reference.channelTypes[$0] ?? .half }
            XCTAssertEqual(types, [.half, .half, .half, .float], "exrmaketiled keeps the channel types")
            let ours = ExrLevelReduction.levels(of: reference.image, types: types, tiles: tiles, dataWindow: reference.header.dataWindow,
                                                wrap: ExrLevelReduction.extrapolation(wrapmodes: reference.header.attributes["wrapmodes"]))
            XCTAssertEqual(ours.map(\.level), reference.levels.map(\.level), item.name)
            for (mine, theirs) in zip(ours, reference.levels) {
                for name in theirs.image.channelNames {
                    let (a, b) = (mine.image[channel: name], theirs.image[channel: name])
                    let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "\(item.name) level (\(theirs.level.levelX), \(theirs.level.levelY)) \(name): "
                        + "\(differing) of \(b.count) samples differ from exrmaketiled's")
                }
            }
        }
    }

    func testWrapmodesAttributeNamesTheExtrapolation() {
        XCTAssertTrue(ExrLevelReduction.extrapolation(wrapmodes: nil) == (.clamp, .clamp))
        XCTAssertTrue(ExrLevelReduction.extrapolation(wrapmodes: .string("periodic,mirror")) == (.periodic, .mirror))
        XCTAssertTrue(ExrLevelReduction.extrapolation(wrapmodes: .string("black")) == (.black, .black))
    }
}
