/// Pixels from one resolved colour space to another: plateswap's own math between two built-in
/// spaces (matrices and the sRGB curve), an OCIO processor of the spaces' config otherwise.
public struct ColorConversion: Sendable {
    public let source: NamedColorSpace
    public let target: NamedColorSpace
    private let processor: ColorProcessor?

    /// Throws when a space outside the built-ins has no config to convert it with, or the config
    /// cannot build the processor.
    public init(from source: NamedColorSpace, to target: NamedColorSpace) throws {
        self.source = source
        self.target = target
        if source == target || (source.builtIn != nil && target.builtIn != nil) {
            processor = nil
            return
        }
        guard let config = source.builtIn == nil ? source.config : target.config else {
            throw ColorError.processor("\(source.name) -> \(target.name): no OCIO config (set colour.config or $OCIO)")
        }
        // A built-in named without this config converts through the config's name for it.
        let names = ColorSpaceNames(config: config)
        func name(_ space: NamedColorSpace) -> String { space.builtIn.map { names.builtIn($0).name } ?? space.name }
        processor = try config.processor(from: name(source), to: name(target))
    }

    public var isIdentity: Bool { source == target }

    /// Converts the named channels (R, G, B by default) in place; other channels are untouched.
    public func apply(to image: inout ImageBuffer, channels: [String] = ["R", "G", "B"]) {
        guard !isIdentity else { return }
        if let processor {
            processor.apply(to: &image, channels: channels)
        } else if let from = source.builtIn, let to = target.builtIn {
            image.convertColor(from: from, to: to, channels: channels)
        }
    }
}
