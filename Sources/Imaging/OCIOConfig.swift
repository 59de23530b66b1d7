import Foundation
import OcioShim
import Support

/// An OpenColorIO config file, loaded once per path (configs are immutable once loaded, and OCIO
/// caches processors per config, so every caller shares one).
public final class OCIOConfig: @unchecked Sendable, Hashable, CustomStringConvertible {
    /// The file as given (standardised).
    public let path: String
    private let handle: OpaquePointer

    private init(path: String, handle: OpaquePointer) {
        self.path = path
        self.handle = handle
    }

    deinit { ocioshim_config_free(handle) }

    public var description: String { path }
    public static func == (a: OCIOConfig, b: OCIOConfig) -> Bool { a.path == b.path }
    public func hash(into hasher: inout Hasher) { hasher.combine(path) }

    /// The OpenColorIO library version, e.g. "2.1.2".
    public static var libraryVersion: String { String(cString: ocioshim_version()) }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: OCIOConfig] = [:]

    /// Loads (or returns the already loaded) config at `path`; a missing or invalid file is a
    /// `ColorError.config` with OCIO's reason.
    public static func load(_ path: String) throws -> OCIOConfig {
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        if let config = lock.withLock({ cache[key] }) { return config }
        guard FileManager.default.fileExists(atPath: key) else { throw ColorError.config(key, "no such file") }
        var err = [CChar](repeating: 0, count: 1024)
        guard let handle = ocioshim_config_open(key, &err, err.count) else {
            throw ColorError.config(key, String(cString: err))
        }
        let config = OCIOConfig(path: key, handle: handle)
        return lock.withLock {
            if let existing = cache[key] { return existing }
            cache[key] = config
            return config
        }
    }

    /// Every colour space's canonical name, in the config's order (inactive ones included).
    public var colorSpaceNames: [String] {
        (0..<Int(ocioshim_colorspace_count(handle))).map { String(cString: ocioshim_colorspace_name(handle, Int32($0))) }
    }

    /// The canonical name of the colour space `name` denotes (a name, alias or role; OCIO compares
    /// them case-insensitively), or nil.
    public func canonicalName(_ name: String) -> String? {
        ocioshim_canonical_name(handle, name).map { String(cString: $0) }
    }

    public func aliases(of name: String) -> [String] {
        (0..<Int(ocioshim_alias_count(handle, name))).map { String(cString: ocioshim_alias(handle, name, Int32($0))) }
    }

    /// The colour space's `encoding` ("scene-linear", "log", "sdr-video", ...), "" when unset.
    public func encoding(of name: String) -> String { String(cString: ocioshim_encoding(handle, name)) }

    /// The colour space a role names, or nil when the config does not define it.
    public func role(_ role: String) -> String? {
        let name = String(cString: ocioshim_role(handle, role))
        return name.isEmpty ? nil : name
    }

    public var displays: [String] {
        (0..<Int(ocioshim_display_count(handle))).map { String(cString: ocioshim_display(handle, Int32($0))) }
    }

    public var defaultDisplay: String { String(cString: ocioshim_default_display(handle)) }

    public func views(display: String) -> [String] {
        (0..<Int(ocioshim_view_count(handle, display))).map { String(cString: ocioshim_view(handle, display, Int32($0))) }
    }

    public func defaultView(display: String) -> String { String(cString: ocioshim_default_view(handle, display)) }

    /// A processor from colour space `source` to `target` (names, aliases or roles).
    public func processor(from source: String, to target: String) throws -> ColorProcessor {
        var err = [CChar](repeating: 0, count: 1024)
        guard let p = ocioshim_processor(handle, source, target, &err, err.count) else {
            throw ColorError.processor("\(source) -> \(target): \(String(cString: err))")
        }
        return ColorProcessor(p, label: "\(source) -> \(target)")
    }

    /// A processor from colour space `source` through an OCIO display and view (what a viewer shows).
    public func displayProcessor(from source: String, display: String, view: String) throws -> ColorProcessor {
        var err = [CChar](repeating: 0, count: 1024)
        guard let p = ocioshim_display_processor(handle, source, display, view, &err, err.count) else {
            throw ColorError.processor("\(source) -> display '\(display)', view '\(view)': \(String(cString: err))")
        }
        return ColorProcessor(p, label: "\(source) -> \(display) / \(view)")
    }
}

/// A compiled OCIO CPU transform. Applying it is thread-safe; images are processed in row bands
/// on every worker.
public final class ColorProcessor: @unchecked Sendable {
    private let handle: OpaquePointer
    /// What it converts, for messages ("ARRI LogC3 (EI800) -> Linear Rec.709 (sRGB)").
    public let label: String

    init(_ handle: OpaquePointer, label: String) {
        self.handle = handle
        self.label = label
    }

    deinit { ocioshim_processor_free(handle) }

    /// True when the transform changes nothing (e.g. between two names of one colour space).
    public var isNoOp: Bool { ocioshim_processor_is_noop(handle) != 0 }

    /// One pixel.
    public func apply(_ rgb: SIMD3<Float>) -> SIMD3<Float> {
        var v = [rgb.x, rgb.y, rgb.z]
        _ = v.withUnsafeMutableBufferPointer { ocioshim_apply_interleaved(handle, $0.baseAddress, 1, nil, 0) }
        return SIMD3(v[0], v[1], v[2])
    }

    /// Three planes of equal length, in place. OCIO's CPU ops do not throw on pixel data; an
    /// exception here would be a library fault, so it traps with OCIO's message.
    public func apply(r: inout [Float], g: inout [Float], b: inout [Float]) {
        precondition(r.count == g.count && g.count == b.count, "planes of different sizes")
        let count = r.count
        r.withUnsafeMutableBufferPointer { rp in
            g.withUnsafeMutableBufferPointer { gp in
                b.withUnsafeMutableBufferPointer { bp in
                    let (rb, gb, bb) = (rp.baseAddress, gp.baseAddress, bp.baseAddress)
                    parallelRanges(count) { range in
                        guard !range.isEmpty else { return }
                        var err = [CChar](repeating: 0, count: 512)
                        let status = ocioshim_apply_planar(handle, rb! + range.lowerBound, gb! + range.lowerBound, bb! + range.lowerBound,
                                                           range.count, &err, err.count)
                        precondition(status == 0, "OpenColorIO \(label): \(String(cString: err))")
                    }
                }
            }
        }
    }

    /// The named channels of `image` (R, G, B by default), in place; other channels are untouched.
    public func apply(to image: inout ImageBuffer, channels: [String] = ["R", "G", "B"]) {
        let indices = channels.map { name -> Int in
            guard let i = image.channelIndex(name) else { preconditionFailure("no channel \(name) in \(image.channelNames)") }
            return i
        }
        var r = image.planes[indices[0]], g = image.planes[indices[1]], b = image.planes[indices[2]]
        for i in indices { image.planes[i] = [] }
        apply(r: &r, g: &g, b: &b)
        image.planes[indices[0]] = r
        image.planes[indices[1]] = g
        image.planes[indices[2]] = b
    }
}

/// Colour-management errors: a config that cannot be used, a name it does not know, a transform
/// it cannot build. All are configuration problems (exit status 2).
public enum ColorError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The config file and OCIO's reason.
    case config(String, String)
    /// The name as given, the closest names the config has, and where the config came from.
    case unknownName(String, suggestions: [String], config: String?)
    case processor(String)
    /// The name of a display or view the config does not have, and the ones it has.
    case unknownDisplay(String, available: [String])

    public var description: String {
        switch self {
        case let .config(path, reason): return "OCIO config \(path): \(reason)"
        case let .unknownName(name, suggestions, config):
            let close = suggestions.isEmpty ? "" : "; close matches: " + suggestions.map { "'\($0)'" }.joined(separator: ", ")
            let source = config.map { " in OCIO config \($0)" }
                ?? " (no OCIO config: set colour.config or $OCIO; built-in names: \(ColorSpace.allCases.map(\.rawValue).joined(separator: ", ")))"
            return "unknown colour space '\(name)'\(source)\(close)"
        case let .processor(reason): return "OCIO transform \(reason)"
        case let .unknownDisplay(name, available):
            return "unknown OCIO \(name) (the config has: \(available.map { "'\($0)'" }.joined(separator: ", ")))"
        }
    }

    public var errorDescription: String? { description }
}
