import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// Colour management in shots: names resolved in the OCIO config, log plates swapped through OCIO,
/// plate kinds read by their tags, the chromaticities check and the tags on every output.
final class ColourManagementTests: XCTestCase {
    static let config = ExtractFixtures.shared.appendingPathComponent("ocio/studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
    var dir: URL!

    override func setUpWithError() throws {
        dir = try SyntheticShot.temporaryFolder("colour")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model.plateswap"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func shot(_ plate: String, output: String = "out", outputSpace: String? = nil, extra: String = "") throws -> ShotConfig {
        let url = dir.appendingPathComponent("\(output).yaml")
        try """
            shot: COLOUR
            plate: \(plate)
            output: {path: \(output)/swap.####.exr, compression: zip, layers: [rgba, mask]\(outputSpace.map { ", colorspace: '\($0)'" } ?? "")}
            model: {path: model.plateswap}
            face: {size: 64}
            blend: {mask_erode: 1, mask_blur: 2, color_transfer: none}
            \(extra)
            """.write(to: url, atomically: true, encoding: .utf8)
        return try ShotConfig.load(url)
    }

    /// Runs oiiotool (OpenImageIO on the same OCIO config: the independent reference).
    func oiiotool(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["oiiotool", "--colorconfig", Self.config.path] + arguments
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "oiiotool \(arguments)")
    }

    func linear(_ image: ImageBuffer, from space: String) throws -> ImageBuffer {
        var rgb = image.selecting(["R", "G", "B"])
        try OCIOConfig.load(Self.config.path).processor(from: space, to: "Linear Rec.709 (sRGB)").apply(to: &rgb)
        return rgb
    }

    /// A log camera plate made by oiiotool from the shared linear plate swaps through OCIO: pixels
    /// outside the mask are the plate's bit for bit, the face is darkened in linear light by what
    /// the swap did to network RGB, and the output is tagged with the plate's OCIO name.
    func testLogPlatesSwapThroughOCIOAndKeepOutsideMaskPixels() throws {
        let source = ExtractFixtures.data("plates/s18_piz/plate.1001.exr")
        for (space, folder) in [("ARRI LogC3 (EI800)", "logc3"), ("ACEScct", "acescct")] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            let plateURL = dir.appendingPathComponent("\(folder)/plate.1001.exr")
            try oiiotool([source.path, "--colorconvert", "Linear Rec.709 (sRGB)", space, "-d", "half", "--compression", "zip", "-o", plateURL.path])
            let config = try shot("{path: \(folder)/plate.####.exr, colorspace: '\(space.lowercased())'}", output: "out-\(folder)")
            XCTAssertEqual(config.plate.colorspace?.name, space)
            XCTAssertNil(config.plate.colorspace?.builtIn)
            let report = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 64)).run()
            XCTAssertEqual(report.done, [1001], "\(report.failed)")

            let (plate, _) = try ExrImage.read(plateURL)
            let (out, header) = try ExrImage.read(dir.appendingPathComponent("out-\(folder)/swap.1001.exr"))
            XCTAssertEqual(header.attributes["oiio:ColorSpace"], .string(space))
            let mask = out[channel: "swap.A"]
            var outside = 0
            for c in ["R", "G", "B"] {
                let (o, p) = (out[channel: c], plate[channel: c])
                for i in 0..<out.pixelCount where mask[i] == 0 {
                    outside += 1
                    if o[i].bitPattern != p[i].bitPattern { return XCTFail("\(space): \(c) pixel \(i) changed outside the mask: \(p[i]) -> \(o[i])") }
                }
            }
            XCTAssertGreaterThan(outside, 3 * 600_000, space)
            // DarkenSwapper halves network RGB (sRGB-encoded): linear light drops to about 0.5^2.4.
            let (outLinear, plateLinear) = (try linear(out, from: space), try linear(plate, from: space))
            var sums = (out: 0.0, plate: 0.0)
            for i in 0..<out.pixelCount where mask[i] == 1 {
                let p = plateLinear.planes[1][i]
                guard p > 0.02, p < 0.8 else { continue }   // mid-tones the codec represents exactly
                sums.out += Double(outLinear.planes[1][i])
                sums.plate += Double(p)
            }
            XCTAssertGreaterThan(sums.plate, 10, space)
            let ratio = sums.out / sums.plate
            XCTAssertGreaterThan(ratio, 0.15, "\(space): linear ratio \(ratio)")
            XCTAssertLessThan(ratio, 0.30, "\(space): linear ratio \(ratio)")
        }
    }

    /// Undeclared plates are read by their own tags, in run and extract alike.
    func testPlateKindsDefaultToTheirTags() throws {
        let movie = try shot("{path: \(ExtractFixtures.data("plates/s18_prores422hq.mov").path)}")
        XCTAssertEqual(try PlateSequence(movie).colorSpace.builtIn, .srgb, "a movie is display-encoded video")
        let png = try shot("{path: \(ExtractFixtures.data("plates/s18_png16").path)/plate.####.png}")
        XCTAssertEqual(try PlateSequence(png).colorSpace.builtIn, .srgb)
        let exr = try shot("{path: \(ExtractFixtures.data("plates/s18_piz").path)/plate.####.exr}")
        XCTAssertEqual(try PlateSequence(exr).colorSpace.builtIn, .linearRec709)

        // An EXR whose chromaticities say AP1 is ACEScg; one tagged oiio:ColorSpace is that space.
        var (image, header) = try ExrImage.read(ExtractFixtures.data("plates/s18_piz/plate.1001.exr"))
        header.attributes["chromaticities"] = .chromaticities(PlateColorRules.outputChromaticities(NamedColorSpace(.acescg))!)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("ap1"), withIntermediateDirectories: true)
        try ExrWriter.write(image, header: header, to: dir.appendingPathComponent("ap1/plate.1001.exr"))
        XCTAssertEqual(try PlateSequence(try shot("{path: ap1/plate.####.exr}")).colorSpace.builtIn, .acescg)
        header.attributes["oiio:ColorSpace"] = .string("ACEScct")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cct"), withIntermediateDirectories: true)
        try ExrWriter.write(image, header: header, to: dir.appendingPathComponent("cct/plate.1001.exr"))
        XCTAssertEqual(try PlateSequence(try shot("{path: cct/plate.####.exr}")).colorSpace.name, "ACEScct")

        // extract's reader follows the same rules.
        let names = ColorSpaceNames(config: try OCIOConfig.load(Self.config.path))
        let frames = try FaceImageSource(path: ExtractFixtures.data("plates/s18_prores422hq.mov").path, names: names,
                                         frames: try FrameRange(parsing: "0"))
        XCTAssertEqual(try frames.load(frames.items[0]).encoding.plate.builtIn, .srgb)
        let still = try FaceImageSource.loadStill(dir.appendingPathComponent("ap1/plate.1001.exr"), colorspace: nil, names: names)
        XCTAssertEqual(still.encoding.plate.builtIn, .acescg)
    }

    func testDeclaredSpaceIsCheckedAgainstTheChromaticities() throws {
        let plate = "\(ExtractFixtures.data("plates/s18_piz").path)/plate.####.exr"
        XCTAssertThrowsError(try PlateSequence(try shot("{path: \(plate), colorspace: ACEScg}"))) { error in
            guard case let PipelineError.configuration(text)? = error as? PipelineError else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("'ACEScg'") && text.contains("Rec.709/sRGB primaries") && text.contains("plate.chromaticities: warn"), text)
        }
        let warned = try PlateSequence(try shot("{path: \(plate), colorspace: ACEScg, chromaticities: warn}"))
        XCTAssertEqual(warned.colorSpace.builtIn, .acescg)
        // A log space has no primaries plateswap could compare: no check.
        XCTAssertNoThrow(try PlateSequence(try shot("{path: \(plate), colorspace: ACEScct}")))
        XCTAssertThrowsError(try FaceImageSource.loadStill(URL(fileURLWithPath: plate.replacingOccurrences(of: "####", with: "1001")),
                                                           colorspace: NamedColorSpace(.aces2065_1), names: ColorSpaceNames(config: nil))) { error in
            XCTAssertTrue("\(error)".contains("AP0") == false && "\(error)".contains("Rec.709/sRGB primaries"), "\(error)")
        }
    }

    func testOutputsAreTaggedWithTheirSpace() throws {
        let frames = [1001]
        try SyntheticShot.writePlates(dir.appendingPathComponent("plates"), frames: frames, window: PixelBox(width: 160, height: 120))
        let config = try shot("{path: plates/plate.####.exr, colorspace: acescg, chromaticities: warn}")
        XCTAssertEqual(try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 64)).run().done, frames)
        let header = try XCTUnwrap(try ExrImage.headers(of: dir.appendingPathComponent("out/swap.1001.exr")).first)
        XCTAssertEqual(header.attributes["oiio:ColorSpace"], .string("ACEScg"))
        // OpenImageIO reads it as the file's colour space.
        let info = Process(), pipe = Pipe()
        info.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        info.arguments = ["oiiotool", "--info", "-v", dir.appendingPathComponent("out/swap.1001.exr").path]
        info.standardOutput = pipe
        try info.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        info.waitUntilExit()
        XCTAssertTrue(text.contains("oiio:ColorSpace: \"ACEScg\""), text)
        XCTAssertEqual(header.attributes["chromaticities"], .chromaticities(ExrChromaticities(red: [0.713, 0.293], green: [0.165, 0.830],
                                                                                                  blue: [0.128, 0.044], white: [0.32168, 0.33767])))
    }

    func testConfigErrorsNameTheLineAndCloseMatches() throws {
        let plate = "\(ExtractFixtures.data("plates/s18_piz").path)/plate.####.exr"
        XCTAssertThrowsError(try shot("{path: \(plate), colorspace: ARRI LogC3}")) { error in
            guard let error = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.keyPath, "plate.colorspace")
            XCTAssertTrue(error.message.contains("unknown colour space 'ARRI LogC3'") && error.message.contains("'ARRI LogC3 (EI800)'"), error.message)
        }
        XCTAssertThrowsError(try shot("{path: \(plate)}", extra: "colour: {config: missing.ocio}")) { error in
            XCTAssertEqual((error as? ConfigError)?.keyPath, "colour.config", "\(error)")
        }
        XCTAssertThrowsError(try shot("{path: \(plate)}", extra: "colour: {display: Cinema}")) { error in
            XCTAssertTrue("\(error)".contains("'sRGB - Display'"), "\(error)")
        }
        let chosen = try shot("{path: \(plate), colorspace: lin_ap1}", extra: "colour: {config: \(Self.config.path), view: ACES 1.0 - SDR Video}")
        XCTAssertEqual(chosen.colour.view, "ACES 1.0 - SDR Video")
        XCTAssertEqual(chosen.plate.colorspace?.builtIn, .acescg)
    }

    /// The review transform through an OCIO display/view equals oiiotool's --ociodisplay.
    func testReviewDisplayViewMatchesOiiotool() throws {
        let source = ExtractFixtures.data("plates/s18_piz/plate.1001.exr")
        let reference = dir.appendingPathComponent("view.exr")
        try oiiotool([source.path, "--ociodisplay:from=Linear Rec.709 (sRGB)", "sRGB - Display", "ACES 1.0 - SDR Video", "-d", "float", "-o", reference.path])
        let names = ColorSpaceNames(config: try OCIOConfig.load(Self.config.path))
        let transform = try ReviewTransform(space: names.builtIn(.linearRec709), display: "sRGB - Display", view: "ACES 1.0 - SDR Video")
        let ours = transform.apply(try ExrImage.read(source).image)
        let theirs = try ExrImage.read(reference).image
        var worst: Float = 0
        for c in 0..<3 {
            let t = theirs[channel: ["R", "G", "B"][c]]
            for i in 0..<ours.pixelCount { worst = max(worst, abs(ours.planes[c][i] - min(max(t[i], 0), 1))) }
        }
        XCTAssertLessThan(worst, 1e-4)
        // Without a display and view, review images are the network encoding.
        let plain = try ReviewTransform(space: names.builtIn(.linearRec709), display: nil, view: nil).apply(try ExrImage.read(source).image)
        XCTAssertEqual(plain, NetworkEncoding(plate: .linearRec709).encode(try ExrImage.read(source).image))
    }

    /// `output.colorspace` converts the whole frame: a ProRes and a PNG16 plate written as ACEScg
    /// and linear Rec.709 agree with the linear EXR plate of the same frame within the codec's error.
    func testOutputColorspaceConvertsMovieAndPNGPlatesToSceneLinear() throws {
        let (exr, _) = try ExrImage.read(ExtractFixtures.data("plates/s18_piz/plate.1001.exr"))
        let cases: [(plate: String, space: String, builtIn: ColorSpace, mean: Double, worst: Float)] = [
            // The ProRes encode itself is about 0.002 darker than its source (ffmpeg's own decode of
            // frame 0 against plate.1001.png: mean error 0.0023, means 35831 vs 35967 of 65535).
            ("{path: \(ExtractFixtures.data("plates/s18_prores422hq.mov").path)}", "ACES - ACEScg", .acescg, 3e-3, 0.05),
            ("{path: \(ExtractFixtures.data("plates/s18_png16").path)/plate.####.png}", "lin_rec709", .linearRec709, 2e-4, 2e-3),
        ]
        for (index, item) in cases.enumerated() {
            let config = try shot(item.plate, output: "out\(index)", outputSpace: item.space)
            XCTAssertEqual(try PlateSequence(config).colorSpace.builtIn, .srgb)
            let report = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper(cropSize: 64)).run(.init(frames: [1001]))
            XCTAssertEqual(report.done, [1001], "\(report.failed)")
            let (out, header) = try ExrImage.read(dir.appendingPathComponent("out\(index)/swap.1001.exr"))
            XCTAssertEqual(header.attributes["oiio:ColorSpace"], .string(item.builtIn.ocioName))
            XCTAssertEqual(header.attributes["chromaticities"], .chromaticities(PlateColorRules.outputChromaticities(NamedColorSpace(item.builtIn))!))
            var reference = exr.selecting(["R", "G", "B"])
            reference.convertColor(from: .linearRec709, to: item.builtIn)
            let mask = out[channel: "swap.A"]
            var (sum, count, worst) = (0.0, 0, Float(0))
            var bias = [Double](repeating: 0, count: 3)
            for (c, name) in ["R", "G", "B"].enumerated() {
                let o = out[channel: name]
                for i in 0..<out.pixelCount where mask[i] == 0 {
                    let d = o[i] - reference.planes[c][i]
                    sum += Double(abs(d)); count += 1; worst = max(worst, abs(d)); bias[c] += Double(d)
                }
            }
            bias = bias.map { $0 / Double(count / 3) }
            print("\(item.space) from \(item.plate): mean |output - EXR plate| = \(sum / Double(count)), max \(worst), mean signed \(bias)")
            // No colour shift beyond the codec's own.
            XCTAssertTrue(bias.allSatisfy { abs($0) <= item.mean }, "\(item.space): bias \(bias)")
            XCTAssertGreaterThan(count, 2_000_000)
            XCTAssertLessThan(sum / Double(count), item.mean, item.space)
            XCTAssertLessThan(worst, item.worst, item.space)
            XCTAssertGreaterThan(mask.filter { $0 > 0.9 }.count, 1000, "the face was swapped too")
        }
    }
}
