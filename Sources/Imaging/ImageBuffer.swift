/// A planar Float32 image: one contiguous plane per named channel, rows top to bottom.
///
/// Plates, crops, masks and codec inputs all travel as `ImageBuffer`. Channel names follow EXR
/// conventions (`R`, `G`, `B`, `A`, `swap.A`), so a buffer maps one to one onto an EXR layer.
public struct ImageBuffer: Equatable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var channelNames: [String]
    /// Planes in `channelNames` order, each `width * height` values, row-major.
    public var planes: [[Float]]

    public init(width: Int, height: Int, channels: [String], fill: Float = 0) {
        precondition(width >= 0 && height >= 0, "image size must be non-negative, got \(width)x\(height)")
        precondition(Set(channels).count == channels.count, "duplicate channel names in \(channels)")
        self.width = width
        self.height = height
        self.channelNames = channels
        self.planes = Array(repeating: [Float](repeating: fill, count: width * height), count: channels.count)
    }

    public init(width: Int, height: Int, channels: [String], planes: [[Float]]) {
        precondition(channels.count == planes.count, "\(channels.count) channel names for \(planes.count) planes")
        for (name, plane) in zip(channels, planes) {
            precondition(plane.count == width * height,
                         "plane \(name) holds \(plane.count) values, expected \(width)x\(height)")
        }
        self.width = width
        self.height = height
        self.channelNames = channels
        self.planes = planes
    }

    public var pixelCount: Int { width * height }

    public func channelIndex(_ name: String) -> Int? { channelNames.firstIndex(of: name) }

    /// The plane of a named channel; traps on an unknown name (a programming error).
    public subscript(channel name: String) -> [Float] {
        get {
            guard let i = channelIndex(name) else { preconditionFailure("no channel \(name) in \(channelNames)") }
            return planes[i]
        }
        set {
            if let i = channelIndex(name) {
                precondition(newValue.count == pixelCount, "plane size mismatch for \(name)")
                planes[i] = newValue
            } else {
                addChannel(name, plane: newValue)
            }
        }
    }

    public mutating func addChannel(_ name: String, plane: [Float]) {
        precondition(channelIndex(name) == nil, "channel \(name) already exists")
        precondition(plane.count == pixelCount, "plane size mismatch for \(name)")
        channelNames.append(name)
        planes.append(plane)
    }

    public mutating func removeChannel(_ name: String) {
        guard let i = channelIndex(name) else { return }
        channelNames.remove(at: i)
        planes.remove(at: i)
    }

    /// Value at (x, y) of channel index `c`; no bounds clamping.
    @inlinable public func value(_ c: Int, _ x: Int, _ y: Int) -> Float { planes[c][y * width + x] }

    /// A new buffer holding only the named channels, in the order given.
    public func selecting(_ names: [String]) -> ImageBuffer {
        ImageBuffer(width: width, height: height, channels: names, planes: names.map { self[channel: $0] })
    }
}
