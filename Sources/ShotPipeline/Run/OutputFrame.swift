import Compositor
import Imaging
import PlateIO

/// What an output frame holds besides the plate's header (README "Output frames in Nuke").
/// - `output.mode: full`: the composite, plus the unblended swap as `swap.R/G/B`
///   (`output.layers: raw`) and the applied matte as `swap.A` (`mask`), so Nuke shows one layer
///   `swap` with its alpha; with `output.matte_in_alpha` the matte is the main `A` too.
/// - `output.mode: patch`: only the swapped face, premultiplied by the matte (R, G, B, A), in a data
///   window cropped to the matte; `Merge over` the plate gives the composite.
enum OutputFrame {
    /// The channel `plateswap quality` and the review read the matte from; nil when not written.
    static func matteChannel(_ output: ShotConfig.Output) -> String? {
        if output.mode == .patch { return "A" }
        if output.layers.contains(.mask) { return "swap.A" }
        return output.matteInAlpha ? "A" : nil
    }

    /// `plate` as read (data window), `composite` its R, G, B(, A) after the swap.
    static func make(plate: ImageBuffer, composite: ImageBuffer, layers: SwapLayers, header: ExrHeader,
                     output: ShotConfig.Output) -> (image: ImageBuffer, header: ExrHeader) {
        if output.mode == .patch { return patch(plate: plate, composite: composite, matte: layers.mask, header: header, output: output) }
        var result = composite
        if let raw = layers.raw {
            for name in ["R", "G", "B"] { result.addChannel("swap." + name, plane: raw[channel: name]) }
        }
        if output.layers.contains(.mask) { result.addChannel("swap.A", plane: layers.mask) }
        if output.matteInAlpha { result[channel: "A"] = layers.mask }
        return (result, header)
    }

    /// The parts an output file holds: the swapped part first (`output`: the composite and swap
    /// layers, short names), its layer's R, G, B(, A) under the layer's prefix and every other
    /// channel of that part as the plate has it (uint samples exact), tiled as the plate's part is
    /// (see `levels`); then every other part of the plate, copied as the plate stores it (name,
    /// type, windows, attributes, every chunk: deep parts too). Without `plate.parts` (movies,
    /// images, patches), just `output`. `pixelType`: what the new channels are stored as.
    /// A luminance/chroma part (Y, RY, BY) was read converted to R, G, B(, A): it is written as
    /// those (its other layers as stored), and the other parts go through all the same.
    static func parts(output: (image: ImageBuffer, header: ExrHeader), plate: SourceFrame, pixelType: ExrPixelType) -> [ExrPartImage] {
        guard let parts = plate.parts, parts.indices.contains(plate.partIndex) else {
            // One scanline part: a patch's window is not the plate's, and a frame read alone has no levels.
            var header = output.header
            header.tiles = nil
            return [ExrPartImage(image: output.image, header: header)]
        }
        let source = parts[plate.partIndex]
        let prefix = plate.layer.isEmpty ? "" : plate.layer + "."
        // The output's own channels: the layer's colour and alpha (renamed into the layer), and
        // plateswap's swap.* layers, named as they are.
        func fileName(_ name: String) -> String { name.hasPrefix("swap.") ? name : prefix + name }
        let written = Set(output.image.channelNames.map(fileName))
        // A Y-only layer is written as R, G, B: its Y is replaced too.
        let replaced = written.union(plate.image.channelNames.contains("Y") ? [] : [prefix + "Y"])
        var image = ImageBuffer(width: output.image.width, height: output.image.height, channels: output.image.channelNames.map(fileName),
                                planes: output.image.planes)
        var types: [String: ExrPixelType] = [:]
        var exact: [String: [UInt32]] = [:]
        for (c, name) in source.image.channelNames.enumerated() where !replaced.contains(name) {
            image.addChannel(name, plane: source.image.planes[c])
            types[name] = source.channelTypes[name]
            exact[name] = source.uintPlanes[name]
        }
        var header = output.header
        header.partName = source.header.partName
        var swapped = ExrPartImage(image: image, header: header, channelTypes: types)
        swapped.uintPlanes = exact
        swapped.levels = levels(of: swapped, plate: source, changed: written, pixelType: pixelType)
        return [swapped] + parts.indices.filter { $0 != plate.partIndex }.map { parts[$0] }
    }

    /// The reduced levels of the swapped part when the plate's part is mip- or rip-mapped: the
    /// channels plateswap wrote (`changed`) reduced from the composite as OpenEXR's exrmaketiled
    /// reduces (`ExrLevelReduction`), the others the plate's own levels, sample for sample.
    static func levels(of part: ExrPartImage, plate: ExrPartImage, changed: Set<String>, pixelType: ExrPixelType) -> [ExrLevelImage] {
        guard let tiles = part.header.tiles, tiles.levelMode != .oneLevel else { return [] }
        let names = part.image.channelNames
        // A part without stored levels (luminance/chroma, converted) has its every channel reduced.
        let kept = plate.levels.isEmpty ? [] : Set(names.filter { name in
            !changed.contains(name) && plate.levels.allSatisfy { $0.image.channelIndex(name) != nil }
        })
        let reducedNames = names.filter { !kept.contains($0) }
        let reduced = reducedNames.isEmpty ? [] : ExrLevelReduction.levels(
            of: part.image.selecting(reducedNames), types: reducedNames.map { part.channelTypes[$0] ?? pixelType }, tiles: tiles,
            dataWindow: part.header.dataWindow, wrap: ExrLevelReduction.extrapolation(wrapmodes: part.header.attributes["wrapmodes"]))
        return tiles.levels(of: part.header.dataWindow).dropFirst().map { level in
            let own = plate.levels.first { $0.level == level }
            var image = ImageBuffer(width: level.width, height: level.height, channels: [])
            var exact: [String: [UInt32]] = [:]
            for name in names {
                if kept.contains(name), let own {
                    image.addChannel(name, plane: own.image[channel: name])
                    exact[name] = own.uintPlanes[name]
                } else {
                    image.addChannel(name, plane: reduced.first { $0.level == level }!.image[channel: name])
                }
            }
            return ExrLevelImage(level: level, image: image, uintPlanes: exact)
        }
    }

    /// The patch in a data window of its own (absolute pixels), the plate's display window kept.
    /// A frame without a face: one transparent pixel at the display window's top-left corner
    /// (OpenEXR has no empty data window), which `Merge over` leaves the plate under.
    static func patch(plate: ImageBuffer, composite: ImageBuffer, matte: [Float], header: ExrHeader,
                      output: ShotConfig.Output) -> (image: ImageBuffer, header: ExrHeader) {
        var patchHeader = header
        // The alpha as the file will store it, so the colour is premultiplied by exactly that.
        let rounding: (Float) -> Float = output.pixelType == .half ? { Float(Float16($0)) } : { $0 }
        guard let patch = PremultipliedPatch.make(plate: plate, composite: composite, matte: matte, alphaRounding: rounding) else {
            let corner = header.displayWindow
            patchHeader.dataWindow = PixelBox(x: corner.xMin, y: corner.yMin, width: 1, height: 1)
            return (ImageBuffer(width: 1, height: 1, channels: ["R", "G", "B", "A"], fill: 0), patchHeader)
        }
        let origin = header.dataWindow
        patchHeader.dataWindow = PixelBox(xMin: origin.xMin + patch.box.xMin, yMin: origin.yMin + patch.box.yMin,
                                          xMax: origin.xMin + patch.box.xMax, yMax: origin.yMin + patch.box.yMax)
        return (patch.image, patchHeader)
    }
}
