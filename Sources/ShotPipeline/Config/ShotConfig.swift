import Compositor
import FaceAlign
import Foundation
import Imaging
import LatentSwapModel
import PlateIO

/// A validated shot.yaml (docs/ARCHITECTURE.md, section 6; every key is documented in README.md).
public struct ShotConfig: Equatable {
    // Colour spaces, compressions, codecs, colour transfers and face types are the modules' own
    // enums (Imaging.ColorSpace, PlateIO.ExrCompression, LatentSwapModel.CodecKind,
    // Compositor.ColorTransfer, FaceAlign.FaceType); only what is the pipeline's own is here.
    public enum PixelType: String, CaseIterable, Codable { case half, float }
    public enum Layer: String, CaseIterable, Codable { case rgba, mask, raw }
    public enum ErrorPolicy: String, CaseIterable, Codable { case fail, skip }
    /// What a declared colour space that disagrees with an EXR's chromaticities is.
    public typealias MismatchPolicy = PlateColorRules.MismatchPolicy
    /// `full`: the composited plate; `patch`: the swapped face alone, premultiplied, cropped to it.
    public enum OutputMode: String, CaseIterable, Codable { case full, patch }

    public struct Plate: Equatable {
        public var path: URL
        /// Frames to process; nil = every frame found on disk (every frame of a movie).
        public var frames: [Int]?
        /// The declared colour space; nil = from the plate's own tags (`PlateColorRules`).
        public var colorspace: NamedColorSpace?
        /// A declared space that disagrees with the EXR `chromaticities` attribute: error or warning.
        public var chromaticities: MismatchPolicy = .error
        /// EXR part by name or index ("0" = first part); nil = the first part that has `layer`.
        public var part: String?
        /// Channel prefix of the layer to swap ("" = R,G,B(,A); `beauty` = beauty.R ...).
        public var layer: String = ""
        /// The frame number of a movie's first frame (sequences carry theirs in the file names).
        public var firstFrame: Int = 1001
        /// Frames per second; nil = the plate's own (EXR `framesPerSecond`, the movie's rate), else 24.
        public var frameRate: Double?
    }

    public struct Output: Equatable {
        public var path: URL
        /// The colour space of the output frames; nil = the plate's own (pixels outside the mask
        /// then stay the plate's, bit for bit).
        public var colorspace: NamedColorSpace?
        public var mode: OutputMode = .full
        public var compression: ExrCompression = .piz
        public var pixelType: PixelType = .half
        public var layers: [Layer] = [.rgba, .mask]
        /// The applied matte also replaces (or adds) the main `A` channel.
        public var matteInAlpha = false
        public var preview: URL?
        /// Defaults to report.json beside the output frames.
        public var report: URL
        /// Defaults to tracks.json beside the output frames.
        public var tracks: URL
    }

    /// Colour management: the OCIO config the names resolve in, and the display/view that review
    /// images (contact sheet, review movie) are shown through.
    public struct Colour: Equatable {
        /// `colour.config`, else `$OCIO`, else ../shared/ocio's studio config; nil: built-ins only.
        public var config: OCIOConfig?
        public var display: String?
        public var view: String?
        public var names: ColorSpaceNames { ColorSpaceNames(config: config) }
    }

    public struct Model: Equatable {
        public var path: URL
        /// nil = the codec the model was trained with (any other is refused when the model loads).
        public var codec: CodecKind?
        /// Render with the newest intact backup when the checkpoint is damaged (else exit 2).
        public var allowBackup = false
    }

    public struct Face: Equatable {
        /// FaceAlign's selection, one grammar with `extract --select` (`FaceSelection(parsing:)`).
        public var select: FaceSelection = .largest
        public var minSize: Int = 64
        /// Crop size in pixels; nil = the model's training resolution.
        public var size: Int?
        public var type: FaceType = .wholeFace
        public var smoothingMinCutoff: Double = 1.0
        public var smoothingBeta: Double = 0.05
    }

    public struct Blend: Equatable {
        public var colorTransfer: ColorTransfer = .rct
        /// Pixels at crop size; negative values dilate.
        public var maskErode: Int = 4
        public var maskBlur: Int = 12
        /// 0 (off) to 1: move the swap's mouth, nose, eyes and brows onto the plate face's (`FeatureFollow`).
        public var followPlate: Double = 1
        /// Multiply the face mask by the mask the model's decoder predicts for the swapped face
        /// (DeepFaceLab's learned-prd x dst): the actor's hair the decoder drew is not pasted.
        public var learnedMask = true
    }

    /// `mask.holdout`: a matte of occluders removed from the face mask before blending.
    public enum Holdout: Equatable, CustomStringConvertible {
        /// A channel of the plate EXR itself (`roto.A`), in the part the plate is read from.
        case plateChannel(String)
        /// A PNG/DPX/TIFF/JPEG/EXR sequence; `channel` nil = `A` when the file has one, else `R`.
        case sequence(URL, channel: String?)

        public var description: String {
            switch self {
            case let .plateChannel(name): return "plate:\(name)"
            case let .sequence(url, channel): return "\(url.path):\(channel ?? "")"
            }
        }
    }

    public struct Mask: Equatable {
        public var holdout: Holdout?
    }

    public var shot: String
    public var plate: Plate
    public var output: Output
    public var model: Model
    public var face = Face()
    public var blend = Blend()
    public var colour = Colour()
    public var mask = Mask()
    public var onError: ErrorPolicy = .fail
    /// The yaml file this came from.
    public var source: URL

    /// Loads and validates a shot.yaml. Throws `ConfigError` naming the key path and line.
    public static func load(_ url: URL, displayName: String? = nil) throws -> ShotConfig {
        let document = try ConfigDocument(url: url, displayName: displayName)
        return try parse(document, source: url)
    }

    public static func parse(_ document: ConfigDocument, source: URL) throws -> ShotConfig {
        let root = try document.root.mapping(allowed: ["shot", "plate", "output", "model", "face", "blend", "colour", "mask", "on_error"])
        let shot = try root["shot"]?.name() ?? source.deletingPathExtension().lastPathComponent

        let plateMap = try root.required("plate").mapping(
            allowed: ["path", "frames", "colorspace", "chromaticities", "part", "layer", "first_frame", "frame_rate"])
        let colour = try parseColour(try root.section("colour", allowed: ["config", "display", "view"]), root: document.root)
        let platePath = try plateMap.required("path")
        var plate = Plate(path: try platePath.url())
        if !SequencePattern.hasFrameToken(plate.path.path), plate.path.pathExtension.lowercased() == "exr" {
            throw platePath.error("an EXR plate needs a frame pattern such as plate.####.exr")
        }
        try checkPlateExists(plate.path, node: platePath)
        if let frames = plateMap["frames"] { plate.frames = try parseFrames(frames) }
        if let node = plateMap["colorspace"] { plate.colorspace = try colorSpace(node, colour) }
        if let node = plateMap["chromaticities"] { plate.chromaticities = try node.oneOf(MismatchPolicy.self) }
        if let node = plateMap["part"] { plate.part = try node.string() }
        if let node = plateMap["layer"] { plate.layer = try node.string() }
        if let node = plateMap["first_frame"] {
            guard !SequencePattern.hasFrameToken(plate.path.path) else {
                throw node.error("first_frame is for movie plates; a sequence's frame numbers are in its file names")
            }
            plate.firstFrame = try node.int(in: -1_000_000_000...1_000_000_000)
        }
        if let node = plateMap["frame_rate"] { plate.frameRate = try node.double(in: 0.001...100_000) }

        let outputMap = try root.required("output").mapping(
            allowed: ["path", "mode", "colorspace", "compression", "pixel_type", "layers", "matte_in_alpha", "preview", "report", "tracks"])
        let outputNode = try outputMap.required("path")
        let outputPath = try outputNode.url()
        guard SequencePattern.hasFrameToken(outputPath.path) else {
            throw outputNode.error("the output path needs a frame number pattern such as swap.####.exr")
        }
        guard outputPath.pathExtension.lowercased() == "exr" else {
            throw outputNode.error("output frames are written as EXR; use a .exr path")
        }
        let outputDir = outputPath.deletingLastPathComponent()
        var output = Output(path: outputPath, report: outputDir.appendingPathComponent("report.json"),
                            tracks: outputDir.appendingPathComponent("tracks.json"))
        if let node = outputMap["compression"] {
            let name = try node.string()
            guard let compression = ExrCompression(name: name) else {
                throw node.error("unknown value '\(name)' (expected one of \(ExrCompression.allCases.map(\.name).joined(separator: ", ")))")
            }
            output.compression = compression
        }
        if let node = outputMap["colorspace"] { output.colorspace = try colorSpace(node, colour) }
        if let node = outputMap["pixel_type"] { output.pixelType = try node.oneOf(PixelType.self) }
        if let node = outputMap["layers"] {
            output.layers = try node.list().map { try $0.oneOf(Layer.self) }
            guard output.layers.contains(.rgba) else { throw node.error("layers must include rgba (the composited plate)") }
            guard Set(output.layers).count == output.layers.count else { throw node.error("a layer is listed twice") }
        }
        if let node = outputMap["matte_in_alpha"] { output.matteInAlpha = try node.bool() }
        if let node = outputMap["mode"] {
            output.mode = try node.oneOf(OutputMode.self)
            if output.mode == .patch, output.layers.contains(.raw) {
                throw (outputMap["layers"] ?? node).error("a patch holds only the premultiplied face and its matte (R, G, B, A): remove raw from output.layers or use mode: full")
            }
        }
        if let node = outputMap["preview"] {
            output.preview = try node.url()
            guard ["mp4", "mov"].contains(output.preview!.pathExtension.lowercased()) else {
                throw node.error("the preview is an H.264 movie; use a .mp4 or .mov path")
            }
        }
        if let node = outputMap["report"] { output.report = try node.url() }
        if let node = outputMap["tracks"] { output.tracks = try node.url() }

        let modelMap = try root.required("model").mapping(allowed: ["path", "codec", "allow_backup"])
        var model = Model(path: try modelMap.required("path").url(mustExist: true, directory: true))
        if let node = modelMap["codec"] { model.codec = try node.oneOf(CodecKind.self) }
        if let node = modelMap["allow_backup"] { model.allowBackup = try node.bool() }

        var config = ShotConfig(shot: shot, plate: plate, output: output, model: model, source: url(source))
        config.colour = colour
        if let faceMap = try root.section("face", allowed: ["select", "min_size", "size", "type", "smoothing"]) {
            if let node = faceMap["select"] { config.face.select = try parseSelect(node) }
            if let node = faceMap["min_size"] { config.face.minSize = try node.int(in: 8...16384) }
            if let node = faceMap["size"] {
                let size = try node.int(in: 16...2048)
                guard size % 8 == 0 else { throw node.error("\(size) is not a multiple of 8 (the codec works at 1/8 resolution)") }
                config.face.size = size
            }
            if let node = faceMap["type"] { config.face.type = try node.oneOf(FaceType.self) }
            if let smoothing = try faceMap.section("smoothing", allowed: ["min_cutoff", "beta"]) {
                if let node = smoothing["min_cutoff"] { config.face.smoothingMinCutoff = try node.double(in: 1e-6...1e6) }
                if let node = smoothing["beta"] { config.face.smoothingBeta = try node.double(in: 0...1e6) }
            }
        }
        if let blendMap = try root.section("blend", allowed: ["color_transfer", "mask_erode", "mask_blur", "follow_plate", "learned_mask"]) {
            if let node = blendMap["color_transfer"] { config.blend.colorTransfer = try node.oneOf(ColorTransfer.self) }
            if let node = blendMap["mask_erode"] { config.blend.maskErode = try node.int(in: -256...256) }
            if let node = blendMap["mask_blur"] { config.blend.maskBlur = try node.int(in: 0...256) }
            if let node = blendMap["follow_plate"] { config.blend.followPlate = try node.double(in: 0...1) }
            if let node = blendMap["learned_mask"] { config.blend.learnedMask = try node.bool() }
        }
        if let maskMap = try root.section("mask", allowed: ["holdout"]), let node = maskMap["holdout"] {
            config.mask.holdout = try parseHoldout(node, plate: config.plate)
        }
        if let node = root["on_error"] { config.onError = try node.oneOf(ErrorPolicy.self) }
        // Outputs landing on the plate or the model, however spelled, are refused by `InputGuard`
        // before a command writes anything.
        return config
    }

    private static func url(_ source: URL) -> URL { source.standardizedFileURL }

    /// The colour space output frames are written in: `output.colorspace`, else the plate's.
    public func outputSpace(plate: PlateSequence) -> NamedColorSpace { output.colorspace ?? plate.colorSpace }

    /// The `colour` section: the config by the search order, and a display/view the config has.
    static func parseColour(_ map: ConfigMapping?, root: ConfigNode) throws -> Colour {
        var colour = Colour()
        let node = map?["config"]
        do {
            let explicit = try node?.url(mustExist: true, directory: false).path
            colour.config = try ColorConfigSearch.locate(explicit: explicit).map { try OCIOConfig.load($0) }
        } catch let error as ColorError {
            throw (node ?? root).error(error.description)
        }
        if let node = map?["display"] {
            let display = try node.string()
            guard let config = colour.config else { throw node.error("a display needs an OCIO config (colour.config or $OCIO)") }
            guard config.displays.contains(display) else {
                throw node.error(ColorError.unknownDisplay("display '\(display)'", available: config.displays).description)
            }
            colour.display = display
        }
        if let node = map?["view"] {
            let view = try node.string()
            guard let config = colour.config else { throw node.error("a view needs an OCIO config (colour.config or $OCIO)") }
            let display = colour.display ?? config.defaultDisplay
            guard config.views(display: display).contains(view) else {
                throw node.error(ColorError.unknownDisplay("view '\(view)' of display '\(display)'", available: config.views(display: display)).description)
            }
            colour.view = view
        }
        return colour
    }

    /// A colour-space name resolved in the shot's config; unknown names list close matches.
    static func colorSpace(_ node: ConfigNode, _ colour: Colour) throws -> NamedColorSpace {
        do { return try colour.names.resolve(try node.string()) } catch let error as ColorError {
            throw node.error(error.description)
        }
    }

    /// A movie must exist; for a sequence the folder must exist (frames are checked when listed).
    private static func checkPlateExists(_ url: URL, node: ConfigNode) throws {
        if SequencePattern.hasFrameToken(url.path) {
            var isDirectory: ObjCBool = false
            let folder = url.deletingLastPathComponent()
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw node.error("the plate folder \(folder.path) does not exist")
            }
        } else {
            _ = try node.url(mustExist: true, directory: false)
        }
    }

    /// A frame list node: a number, a list of numbers, or a `FrameRange` string (`1001-1096x2,1100`).
    static func parseFrames(_ node: ConfigNode) throws -> [Int] {
        if let items = try? node.list() {
            guard !items.isEmpty else { throw node.error("the frame list is empty") }
            return Array(Set(try items.map { try $0.int() })).sorted()
        }
        if let frame = try? node.int() { return [frame] }
        do {
            return try FrameRange(parsing: try node.string()).frames
        } catch let error as FrameRangeError {
            throw node.error(error.description)
        }
    }

    /// `mask.holdout`: `roto.A` (a channel of the EXR plate), a sequence pattern (`holdout.####.png`),
    /// or `{path: PATTERN, channel: NAME}`.
    static func parseHoldout(_ node: ConfigNode, plate: Plate) throws -> Holdout {
        var pathNode: ConfigNode? = node, channel: String?
        if case .mapping = node.node {
            let map = try node.mapping(allowed: ["path", "channel"])
            pathNode = map["path"]
            channel = try map["channel"]?.string()
            if pathNode == nil {
                guard let channel, !channel.isEmpty else { throw node.error("give path (a matte sequence) or channel (a channel of the plate)") }
                return try plateChannel(channel, node: node, plate: plate)
            }
        }
        guard let pathNode else { throw node.error("expected a channel name or a sequence path") }
        let text = try pathNode.string()
        guard SequencePattern.hasFrameToken(text) else {
            guard channel == nil else { throw pathNode.error("the holdout path needs a frame pattern such as holdout.####.png") }
            return try plateChannel(text, node: pathNode, plate: plate)
        }
        let url = try pathNode.url()
        let ext = url.pathExtension.lowercased()
        guard ext == "exr" || StillImage.extensions.contains(ext) else {
            throw pathNode.error("'.\(ext)' mattes are not supported (exr, png, dpx, tif, tiff, jpg, jpeg)")
        }
        var isDirectory: ObjCBool = false
        let folder = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw pathNode.error("the holdout folder \(folder.path) does not exist")
        }
        return .sequence(url, channel: channel)
    }

    private static func plateChannel(_ name: String, node: ConfigNode, plate: Plate) throws -> Holdout {
        guard plate.path.pathExtension.lowercased() == "exr" else {
            throw node.error("'\(name)' names a channel of the plate, but only EXR plates have channels; give a matte sequence such as holdout.####.png")
        }
        guard !name.isEmpty, !name.hasSuffix(".") else { throw node.error("expected a channel name such as roto.A") }
        return .plateChannel(name)
    }

    /// `largest`, `track:N`, `point:[x,y]` or `point:x,y` as `FaceSelection(parsing:)` reads them
    /// for `extract --select`; `point: [x, y]` and `track: N` written as YAML mappings mean the same.
    static func parseSelect(_ node: ConfigNode) throws -> FaceSelection {
        if let map = try? node.mapping(allowed: ["point", "track"]) {
            if let point = map["point"] {
                let items = try point.list()
                guard items.count == 2 else { throw point.error("expected [x, y]") }
                return .point(x: Float(try items[0].double()), y: Float(try items[1].double()))
            }
            if let track = map["track"] { return .track(try track.int(in: 0...Int(Int32.max))) }
        }
        let text = try node.string()
        do { return try FaceSelection(parsing: text) } catch {
            throw node.error("unknown value '\(text.replacingOccurrences(of: " ", with: ""))' (expected largest, track:N or point:[x,y])")
        }
    }
}
