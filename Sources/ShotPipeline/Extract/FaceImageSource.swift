import Foundation
import Imaging
import PlateIO

/// Images to find faces in: one file, a folder of photos, a frame sequence or a movie, read by
/// PlateIO's `FrameSource`, the reader of a shot's plate, with the same rules (EXR part 0's
/// unprefixed layer, a Y-only image as grey, a sequence's colour space from its first frame, movie
/// frames decoded forward with seeks only for long jumps). Every image comes as the pixels the file
/// holds, with the `NetworkEncoding` of their colour space that turns them into network RGB in [0, 1]
/// exactly as the shot pipeline encodes its plate: crops are cut from the pixels (`AlignedCrop`),
/// faces are found in the encoded image. The colour space is the declared one (`--colorspace`), else
/// the file's own tags (`PlateColorRules`): the same frame gives the same crops in `extract` and in a
/// shot. Movie frames are numbered from 0 here (README: `extract`), from `plate.first_frame` in a shot.
public final class FaceImageSource {
    public enum Kind: Equatable {
        case photos([URL])
        case sequence(SequencePattern)
        case movie(URL)
    }

    /// One image to process: where it comes from and its frame number (nil for photos; movie
    /// frames are 0-based indices).
    public struct Item: Equatable, Sendable {
        public var file: String
        public var frame: Int?
    }

    /// A loaded image. `origin` is the source pixel position of its top-left pixel (the EXR data
    /// window's minimum corner), so detections shifted by it are in the file's pixel space.
    public struct Loaded {
        /// R, G, B as the file holds them: what aligned crops are resampled from.
        public var pixels: ImageBuffer
        /// How `pixels` become network RGB.
        public var encoding: NetworkEncoding
        /// `pixels` network-encoded: what faces are detected in.
        public var image: ImageBuffer
        public var origin: SIMD2<Float>

        init(frame: SourceFrame, encoding: NetworkEncoding) {
            pixels = frame.image.selecting(["R", "G", "B"])
            self.encoding = encoding
            image = encoding.encode(pixels)
            origin = SIMD2(Float(frame.origin.x), Float(frame.origin.y))
        }
    }

    public let kind: Kind
    public let items: [Item]
    /// The declared colour space (nil: the files' own tags decide).
    public let colorspace: NamedColorSpace?
    /// Frames of the sequence that are missing on disk (sequences only; not fatal).
    public let missingFrames: [Int]
    /// The sequence or movie (nil for photos).
    private let frames: FrameSource?
    private let options: FrameSource.Options
    public var isPhotos: Bool { if case .photos = kind { return true } else { return false } }

    /// How `extract` and `detect` open files: movie frames counted from 0, `--colorspace` named in messages.
    static func options(colorspace: NamedColorSpace?, names: ColorSpaceNames) -> FrameSource.Options {
        var options = FrameSource.Options()
        options.colorspace = colorspace
        options.names = names
        options.colorspaceKey = "--colorspace"
        options.movieFirstFrame = 0
        options.movieFirstFrameKey = "--frames counts movie frames from"
        return options
    }

    /// Opens `path`: a folder (its images, sorted by name), a sequence pattern (`####`, `%04d`,
    /// `$F4`, `@`), a single image, or a movie. `frames` restricts sequences and movies; `every`
    /// keeps every Nth item of what remains.
    public init(path: String, colorspace: NamedColorSpace? = nil, names: ColorSpaceNames = ColorSpaceNames(config: nil),
                frames: FrameRange? = nil, every: Int = 1) throws {
        guard every >= 1 else { throw ExtractError.option("--every", "must be at least 1, got \(every)") }
        self.colorspace = colorspace
        options = Self.options(colorspace: colorspace, names: names)
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        var missing: [Int] = []
        let all: [Item]
        if exists, isDirectory.boolValue {
            let urls = try Self.photos(in: url)
            kind = .photos(urls)
            self.frames = nil
            all = urls.map { Item(file: $0.path, frame: nil) }
        } else if SequencePattern.hasFrameToken(path) {
            let pattern = try SequencePattern(path)
            let listing = try pattern.listing(range: frames)
            let wanted = frames.map { Set($0.frames) }
            let found = wanted.map { w in listing.found.filter { w.contains($0) } } ?? listing.found
            guard !found.isEmpty else { throw ExtractError.input(path, "no frames of the sequence on disk\(frames.map { " in \($0)" } ?? "")") }
            kind = .sequence(pattern)
            self.frames = try Self.open(path, options)
            missing = listing.missing
            all = found.map { Item(file: pattern.path(frame: $0), frame: $0) }
        } else if !exists {
            throw ExtractError.input(path, "no such file or folder")
        } else if Self.isStill(url) {
            kind = .photos([url])
            self.frames = nil
            all = [Item(file: url.path, frame: nil)]
        } else {
            let movie = try Self.open(path, options)
            let available = movie.available
            let wanted = frames.map { $0.frames.filter { available.contains($0) } } ?? available
            guard !wanted.isEmpty else {
                throw ExtractError.input(path, "no frame of \(frames!) in the movie's 0-\(available.last ?? 0)")
            }
            kind = .movie(url)
            self.frames = movie
            all = wanted.map { Item(file: url.path, frame: $0) }
        }
        items = Swift.stride(from: 0, to: all.count, by: every).map { all[$0] }
        missingFrames = missing
    }

    /// The sequence or movie through `FrameSource`, its errors as `ExtractError`s.
    private static func open(_ path: String, _ options: FrameSource.Options) throws -> FrameSource {
        do {
            return try FrameSource(path: path, options: options)
        } catch let error as FrameSourceError {
            throw ExtractError.input(path, error.reason)
        } catch let error as PlateColorMismatch {
            throw ExtractError.input(error.file, "--colorspace is '\(error.declared)' but the EXR's chromaticities attribute says \(error.tagged)")
        } catch let error as PlateColorTagError {
            throw ExtractError.input(error.file, error.reason)
        } catch let error as ColorError {
            throw ExtractError.input(path, "\(error)")
        }
    }

    /// Loads an item. Movies are best read in increasing order (frames are decoded forward, with a
    /// seek only when the next wanted frame is behind or far ahead).
    public func load(_ item: Item) throws -> Loaded {
        guard let frames, let number = item.frame else {
            return try Self.loadStill(URL(fileURLWithPath: item.file), colorspace: colorspace, names: options.names)
        }
        return Loaded(frame: try frames.read(frame: number), encoding: frames.encoding)
    }

    /// One image file and the encoding of its colour space: `colorspace` when given (checked
    /// against an EXR's chromaticities), else the file's own tags.
    public static func loadStill(_ url: URL, frame: Int? = nil, colorspace: NamedColorSpace?, names: ColorSpaceNames) throws -> Loaded {
        do {
            let (read, space) = try FrameSource.readStill(url, options: options(colorspace: colorspace, names: names))
            return Loaded(frame: read, encoding: try NetworkEncoding(plate: space))
        } catch let error as PlateColorMismatch {
            throw ExtractError.input(url.path, "--colorspace is '\(error.declared)' but the EXR's chromaticities attribute says \(error.tagged)")
        } catch let error as PlateColorTagError {
            throw ExtractError.input(error.file, error.reason)
        } catch let error as ColorError {
            throw ExtractError.input(url.path, "\(error)")
        } catch let error as FrameSourceError {
            throw ExtractError.frame(url.path, frame, error.reason)
        }
    }

    static func isStill(_ url: URL) -> Bool { FrameSource.canRead(url) }

    static func photos(in folder: URL) throws -> [URL] {
        let urls = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { isStill($0) && !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent.localizedStandardCompare($1.lastPathComponent) == .orderedAscending }
        guard !urls.isEmpty else {
            throw ExtractError.input(folder.path, "no images in the folder (exr, \(StillImage.extensions.sorted().joined(separator: ", ")))")
        }
        return urls
    }
}

/// Errors of `detect` / `extract` that name the file, frame and field.
public enum ExtractError: Error, CustomStringConvertible, LocalizedError {
    case option(String, String)
    case input(String, String)
    case frame(String, Int?, String)

    public var description: String {
        switch self {
        case let .option(name, reason): return "\(name): \(reason)"
        case let .input(file, reason): return "\(file): \(reason)"
        case let .frame(file, frame, reason): return "\(file)\(frame.map { ": frame \($0)" } ?? ""): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
