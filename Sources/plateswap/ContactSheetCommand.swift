import ArgumentParser
import Foundation
import Imaging
import PlateIO
import ShotPipeline
import Support

/// `plateswap contact-sheet shot.yaml|DIR --frames SPEC -o sheet.png [--columns N] [--width W]`.
struct ContactSheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact-sheet",
        abstract: "Write a PNG grid of chosen output frames, labelled with their frame numbers.",
        discussion: """
            The frames come from a shot.yaml's output.path (shown in the plate's colour space) or from \
            the one numbered EXR sequence in a folder (--colorspace, default linear_rec709). Display \
            transform: linear -> sRGB, clamped; 8-bit PNG.
            """)

    @Argument(help: "A shot.yaml, or a folder holding one EXR sequence.")
    var source: String

    @Option(name: .long, help: "Frames to show, e.g. 1001-1096x8 or 1001,1010,1020.")
    var frames: String

    @Option(name: .shortAndLong, help: "The PNG to write.")
    var output: String

    @Option(name: .long, help: "Frames per row.")
    var columns = 4

    @Option(name: .long, help: "Width of the whole sheet in pixels.")
    var width = 1920

    @Option(name: .long, help: "Colour space of the frames: an OCIO name or alias (any case) or linear_rec709, acescg, aces2065_1, srgb.",
            transform: ColorOptions.parse)
    var colorspace: NamedColorSpace?

    @Option(name: .long, help: "OCIO display to show the frames through (default: the network encoding's sRGB).")
    var display: String?

    @Option(name: .long, help: "OCIO view of the display (default: the display's default view).")
    var view: String?

    func run() throws {
        let list = try ShotCommandInput.frames(frames)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw PipelineError.configuration("\(source) does not exist")
        }
        let pattern: SequencePattern
        var names = try ColorOptions.names()
        var space: NamedColorSpace?
        var (shotDisplay, shotView): (String?, String?) = (nil, nil)
        var inputs = InputGuard()
        if isDirectory.boolValue {
            pattern = try ContactSheet.sequence(in: URL(fileURLWithPath: source))
        } else {
            let config = try ShotCommandInput.loadShot(source)
            do { pattern = try SequencePattern(config.output.path.path) } catch {
                throw PipelineError.configuration("output.path: \(error)")
            }
            names = config.colour.names
            space = config.output.colorspace ?? config.plate.colorspace
            (shotDisplay, shotView) = (config.colour.display, config.colour.view)
            inputs = InputGuard(shot: config)
        }
        for frame in list { inputs.addInput(pattern.url(frame: frame), role: "frame \(frame)") }
        try inputs.check(output: URL(fileURLWithPath: output), role: "-o")
        space = colorspace ?? space
        // Undeclared: the first frame's own tags (outputs carry oiio:ColorSpace and chromaticities).
        if space == nil, let first = list.first, let header = try? ExrImage.headers(of: pattern.url(frame: first)).first {
            space = PlateColorRules.exrDefault(header, names: names).space
        }
        let transform: ReviewTransform
        do {
            transform = try ReviewTransform(space: space ?? names.builtIn(.linearRec709), display: display ?? shotDisplay, view: view ?? shotView)
        } catch {
            throw PipelineError.configuration("--display/--view: \(error)")
        }
        let grid = try ContactSheet.write(pattern, .init(frames: list, columns: columns, width: width, transform: transform),
                                          to: URL(fileURLWithPath: output))
        Log.info("wrote \(output): \(list.count) frame(s), \(grid.width)x\(grid.height)")
    }
}
