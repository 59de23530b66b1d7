import ArgumentParser
import Foundation
import Imaging
import PlateIO
import ShotPipeline
import Support

/// `plateswap info FILE [--json] [--stats]`: what a plate file holds (schema in README.md).
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a plate file: EXR parts, windows, channels, compression, attributes; movie codec, size, frames, rate.",
        discussion: """
            Every chunk is checked, so truncated or damaged files fail here. Exits 1 with one line on \
            stderr naming the file and the reason when the file cannot be read or is not supported \
            (deep data, HTJ2K). Files that are not EXR are probed with FFmpeg (codec, size, frame count, rate).
            """
    )

    @Argument(help: "The file to describe.")
    var file: String

    @Flag(help: "Print the stable JSON document instead of text.")
    var json = false

    @Flag(help: "Also decode every pixel: per channel min, max, mean (finite values) and NaN/Inf counts.")
    var stats = false

    @Option(help: "Check a colour-space name against the file (an OCIO name or alias, any case, or a built-in name); the text output names the space plateswap reads the file in.",
            transform: ColorOptions.parse)
    var colorspace: NamedColorSpace?

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let names = try ColorOptions.names()
        // A file that cannot be read or is not supported is a failure (exit 1), whatever the reason.
        let report = try PhaseError.withStatus(ExitStatus.failed) { try InfoFile.report(for: url, stats: stats, threads: workerCount) }
        let evidence = try PhaseError.withStatus(ExitStatus.failed) { try PlateColorRules.evidence(for: url) }
        let line: String
        do {
            let choice = try PlateColorRules.choose(declared: colorspace, evidence: evidence, names: names, file: file, policy: .error,
                                                    key: "--colorspace")
            line = Self.colourLine(choice)
        } catch let mismatch as PlateColorMismatch {
            throw PipelineError.configuration("\(mismatch.file): --colorspace is '\(mismatch.declared)' but the EXR's chromaticities attribute says \(mismatch.tagged)")
        } catch var untagged as PlateColorTagError {
            // info describes the file even when its tags give no usable space: it says why.
            untagged.key = "plate.colorspace (or --colorspace)"
            line = "colour space: none from the file's tags (\(untagged))"
        }
        print(json ? report.serialized() : InfoFile.text(report) + "\n" + line)
    }

    /// "colour space: ARRI LogC3 (EI800) (declared; OCIO config FILE)", or
    /// "colour space: sRGB - Texture (from the file's tags: movie color_primaries bt709, ...; declare ...; built-in srgb)".
    static func colourLine(_ choice: PlateColorRules.Choice) -> String {
        let how = choice.declared ? "declared" : "from the file's tags: \(choice.rule); declare plate.colorspace to change it"
        let math = choice.space.builtIn.map { "built-in \($0.rawValue)" } ?? "OCIO config \(choice.space.config?.path ?? "")"
        return "colour space: \(choice.space.name) (\(how); \(math))"
    }
}
