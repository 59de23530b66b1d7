import Foundation
import Imaging
import PlateIO
import XCTest
@testable import ShotPipeline

/// Reads back text drawn by `BitmapFont.draw` (box corner x, y) by sampling every font pixel.
func readLabel(_ image: ImageBuffer, x: Int, y: Int, scale: Int, count: Int) -> String {
    let (r, g, b) = (image[channel: "R"], image[channel: "G"], image[channel: "B"])
    var text = ""
    for index in 0..<count {
        var rows = [UInt8](repeating: 0, count: BitmapFont.glyphHeight)
        for row in 0..<BitmapFont.glyphHeight {
            for column in 0..<BitmapFont.glyphWidth {
                let px = x + (1 + index * BitmapFont.advance + column) * scale + scale / 2
                let py = y + (1 + row) * scale + scale / 2
                guard px < image.width, py < image.height else { continue }
                let i = py * image.width + px
                if (r[i] + g[i] + b[i]) / 3 > 0.5 { rows[row] |= 1 << (BitmapFont.glyphWidth - 1 - column) }
            }
        }
        text.append(BitmapFont.glyphs.first { $0.value == rows }?.key ?? "?")
    }
    return text
}

final class ReviewTests: XCTestCase {
    func testBitmapFontGlyphsAreDistinctAndReadBack() {
        let glyphs = Array(BitmapFont.glyphs.values)
        XCTAssertEqual(Set(glyphs.map { $0.map(String.init).joined(separator: ",") }).count, glyphs.count, "two glyphs look the same")
        for scale in [1, 3] {
            var image = ImageBuffer(width: 300, height: 40, channels: ["R", "G", "B"], fill: 0.7)
            BitmapFont.draw("1234567890 SWAP", into: &image, x: 3, y: 5, scale: scale)
            XCTAssertEqual(readLabel(image, x: 3, y: 5, scale: scale, count: 15), "1234567890 SWAP")
            let (w, h) = BitmapFont.size(of: "1234567890 SWAP", scale: scale)
            XCTAssertEqual(image.value(0, 3 + w - 1, 5 + h - 1), 0, "the box is black to its last pixel")
            XCTAssertEqual(image.value(0, 3 + w, 5), 0.7, "nothing drawn right of the box")
        }
        // Clipped at every edge without trapping.
        var small = ImageBuffer(width: 8, height: 8, channels: ["R", "G", "B"])
        BitmapFont.draw("88", into: &small, x: -7, y: -9, scale: 2)
        BitmapFont.draw("88", into: &small, x: 5, y: 6, scale: 2)
        BitmapFont.draw("88", into: &small, x: 50, y: 50, scale: 2)
    }

    func testDisplayTransformClampsAndConvertsPrimaries() {
        var image = ImageBuffer(width: 6, height: 1, channels: ["R", "G", "B", "A"])
        image.planes[0] = [.nan, .infinity, -1, 0.18, 6.5, 1]
        image.planes[1] = [0, 0, 0, 0.18, 0.5, 0]
        image.planes[2] = [0, 0, 0, 0.18, 0.5, 0]
        // Review images are the network encoding (clamp, then the sRGB curve, whose 1 is 1 - 1 ulp).
        let out = ReviewImage.display(image, colorspace: .linearRec709)
        XCTAssertEqual(out.channelNames, ["R", "G", "B"])
        XCTAssertEqual(out[channel: "R"][0], 0)
        XCTAssertEqual(out[channel: "R"][1], 1, accuracy: 1e-7)
        XCTAssertEqual(out[channel: "R"][2], 0)
        XCTAssertEqual(out[channel: "R"][3], SRGB.encode(0.18), accuracy: 1e-5)
        XCTAssertEqual(out[channel: "R"][4], 1, accuracy: 1e-7)
        XCTAssertEqual(out[channel: "G"][4], SRGB.encode(0.5), accuracy: 1e-5)
        // ACEScg red is outside Rec.709: red clamps at 1, the negative green and blue at 0.
        let aces = ReviewImage.display(image, colorspace: .acescg)
        let m = ColorSpace.acescg.matrix(to: .linearRec709).rows
        XCTAssertLessThan(m[1].x, 0)
        XCTAssertEqual(aces[channel: "R"][5], 1, accuracy: 1e-7)
        XCTAssertEqual(aces[channel: "G"][5], 0)
        XCTAssertEqual(aces[channel: "G"][3], SRGB.encode(0.18), accuracy: 2e-3, "grey stays grey")
    }

    func testDisplayWindowPadsAndCrops() {
        var image = ImageBuffer(width: 4, height: 3, channels: ["R"])
        image.planes[0] = (0..<12).map(Float.init)
        // Data window (1,1)-(4,3) in a (0,0)-(3,4) display window: column 4 is overscan, row 0 and column 0 are padding.
        let header = ExrHeader(dataWindow: PixelBox(xMin: 1, yMin: 1, xMax: 4, yMax: 3), displayWindow: PixelBox(width: 4, height: 5))
        let out = ReviewImage.displayWindow(image, header: header)
        XCTAssertEqual(out.width, 4)
        XCTAssertEqual(out.height, 5)
        XCTAssertEqual(out.planes[0], [0, 0, 0, 0,
                                       0, 0, 1, 2,
                                       0, 4, 5, 6,
                                       0, 8, 9, 10,
                                       0, 0, 0, 0])
    }

    /// A shot run with the darkening test swapper, then its preview and a contact sheet.
    func testPreviewMovieShowsPlateAndResultWithFrameNumbers() throws {
        let fixture = try ShotFixture(dataWindow: PixelBox(width: 256, height: 144))
        defer { fixture.remove() }
        var config = try fixture.writeShot()
        let preview = fixture.dir.appendingPathComponent("review/preview.mp4")
        config.output.preview = preview
        _ = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper()).run()
        try FileManager.default.removeItem(at: fixture.outputURL(1004))
        let summary = try PreviewMovie.write(config)
        XCTAssertEqual(summary.frames, fixture.frames)
        XCTAssertEqual(summary.missing, [1004])
        let layout = try XCTUnwrap(summary.layout)
        XCTAssertEqual(layout, PreviewMovie.Layout(displayWidth: 256, displayHeight: 144))
        XCTAssertEqual(layout.width, 512)
        XCTAssertEqual(layout.textScale, 2)
        let leftover = try FileManager.default.contentsOfDirectory(atPath: preview.deletingLastPathComponent().path)
        XCTAssertEqual(leftover, ["preview.mp4"], "no temporary file left beside the movie")

        let info = try MovieInfo.probe(preview, countFrames: true)
        XCTAssertEqual(info.frameCount, 4)
        XCTAssertEqual(info.width, 512)
        XCTAssertEqual(info.height, 144)
        let reader = try MovieReader(url: preview)
        let (labelWidth, labelHeight) = BitmapFont.size(of: "1001 MISSING", scale: layout.textScale)
        let margin = layout.labelOrigin
        for frame in fixture.frames {
            let decoded = try XCTUnwrap(try reader.nextFrame()).image
            let plate = try ReviewImage.read(fixture.plateURL(frame), colorspace: .linearRec709)
            XCTAssertEqual(readLabel(decoded, x: margin, y: margin, scale: layout.textScale, count: 4), String(frame))
            let side = readLabel(decoded, x: 256 + margin, y: margin, scale: layout.textScale, count: frame == 1004 ? 12 : 9)
            XCTAssertEqual(side, frame == 1004 ? "\(frame) MISSING" : "\(frame) SWAP")

            // Left half = the plate (outside the label), within H.264's loss.
            var plateError = 0.0, count = 0
            var darker = 0.0, inside = 0
            let out = frame == 1004 ? nil : try ReviewImage.read(fixture.outputURL(frame), colorspace: .linearRec709)
            let (mask, _) = frame == 1004 ? (nil, nil) : try ExrImage.read(fixture.outputURL(frame))
            for y in 0..<144 { for x in 0..<256 where !(x < margin + labelWidth && y < margin + labelHeight) {
                for c in 0..<3 {
                    plateError += Double(abs(decoded.value(c, x, y) - plate.value(c, x, y)))
                    count += 1
                }
                if let out, let mask, mask[channel: "swap.A"][y * 256 + x] > 0.9 {
                    darker += Double(plate.value(1, x, y) - out.value(1, x, y))
                    inside += 1
                    XCTAssertEqual(decoded.value(1, 256 + x, y), out.value(1, x, y), accuracy: 0.12)
                }
            } }
            XCTAssertLessThan(plateError / Double(count), 0.02, "frame \(frame): left half differs from the plate")
            if frame == 1004 {
                XCTAssertLessThan(decoded.value(1, 400, 100), 0.05, "a missing output frame shows black")
            } else {
                XCTAssertGreaterThan(inside, 200)
                XCTAssertGreaterThan(darker / Double(inside), 0.05, "the right half shows the darkened swap")
            }
        }
        XCTAssertNil(try reader.nextFrame())
    }

    func testContactSheetGridLabelsAndErrors() throws {
        let fixture = try ShotFixture(dataWindow: PixelBox(width: 160, height: 90))
        defer { fixture.remove() }
        let config = try fixture.writeShot()
        _ = try ShotRunner(config: config, faces: FixedFaceProvider(), swapper: DarkenSwapper()).run()
        let pattern = try ContactSheet.sequence(in: fixture.dir.appendingPathComponent("out"))
        XCTAssertEqual(pattern.url(frame: 1002), fixture.outputURL(1002))
        let sheetURL = fixture.dir.appendingPathComponent("sheet.png")
        let frames = [1001, 1003, 1004]
        let grid = try ContactSheet.write(pattern, .init(frames: frames, columns: 2, width: 680), to: sheetURL)
        XCTAssertEqual(grid.columns, 2)
        XCTAssertEqual(grid.rows, 2)
        XCTAssertEqual(grid.cellWidth, (680 - 3 * ContactSheet.gap) / 2)
        XCTAssertEqual(grid.cellHeight, Int((Double(grid.cellWidth) * 90 / 160).rounded()))
        let sheet = try PNGFile.read(sheetURL)
        XCTAssertEqual(sheet.width, 680)
        XCTAssertEqual(sheet.height, grid.height)
        for (index, frame) in frames.enumerated() {
            let (x, y) = grid.origin(index)
            let expected = try ReviewImage.read(fixture.outputURL(frame), colorspace: .linearRec709)
                .resized(width: grid.cellWidth, height: grid.cellHeight, filter: .area)
            var worst: Float = 0
            for j in 0..<grid.cellHeight { for i in 0..<grid.cellWidth { for c in 0..<3 {
                worst = max(worst, abs(sheet.value(c, x + i, y + j) - expected.value(c, i, j)))
            } } }
            XCTAssertLessThanOrEqual(worst, 0.5 / 255 + 1e-4, "frame \(frame): cell differs from the output frame")
            XCTAssertEqual(readLabel(sheet, x: x, y: y + grid.cellHeight + ContactSheet.gap / 4, scale: grid.textScale, count: 4), String(frame))
        }
        let (emptyX, emptyY) = grid.origin(3)
        XCTAssertEqual(sheet.value(0, emptyX + 20, emptyY + 20), (ContactSheet.background * 255).rounded() / 255, accuracy: 1e-6)

        XCTAssertThrowsError(try ContactSheet.render(pattern, .init(frames: [1001, 1009]))) { error in
            XCTAssertTrue("\(error)".contains("swap.1009.exr"), "\(error)")
        }
        XCTAssertThrowsError(try ContactSheet.render(pattern, .init(frames: [1001], width: 10)))
        try FileManager.default.copyItem(at: fixture.outputURL(1001), to: fixture.dir.appendingPathComponent("out/other.0001.exr"))
        XCTAssertThrowsError(try ContactSheet.sequence(in: fixture.dir.appendingPathComponent("out"))) { error in
            XCTAssertTrue("\(error)".contains("several"), "\(error)")
        }
    }
}
