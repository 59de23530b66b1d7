import Compositor
import Foundation
import Imaging
import PlateIO

/// Images to find faces in: one file, a folder of photos, a frame sequence or a movie. Every image
/// comes as the pixels the file holds, with the `NetworkEncoding` of their colour space that turns
/// them into network RGB in [0, 1] exactly as the shot pipeline encodes its plate: crops are cut from
/// the pixels (`AlignedCrop`), faces are found in the encoded image. The colour space is the
/// declared one (`--colorspace`), else the file's own tags, by the same rules as `run`
/// (`PlateColorRules`): the same frame gives the same crops in `extract` and in a shot.
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

        init(pixels: ImageBuffer, encoding: NetworkEncoding, origin: SIMD2<Float>) {
            self.pixels = pixels
            self.encoding = encoding
            image = encoding.encode(pixels)
            self.origin = origin
        }
    }

    public let kind: Kind
    public let items: [Item]
    /// The declared colour space (nil: each file's own tags decide).
    public let colorspace: NamedColorSpace?
    let names: ColorSpaceNames
    /// A movie's encoding (its tags are the stream's, the same for every frame).
    private var movieEncoding: NetworkEncoding?
    /// Frames of the movie or sequence that are missing on disk (sequences only; not fatal).
    public let missingFrames: [Int]
    private var movie: MovieReader?
    private var lastMovieFrame = -1
    public var isPhotos: Bool { if case .photos = kind { return true } else { return false } }

    /// Opens `path`: a folder (its images, sorted by name), a sequence pattern (`####`, `%04d`,
    /// `$F4`, `@`), a single image, or a movie. `frames` restricts sequences and movies; `every`
    /// keeps every Nth item of what remains.
    public init(path: String, colorspace: NamedColorSpace? = nil, names: ColorSpaceNames = ColorSpaceNames(config: nil),
                frames: FrameRange? = nil, every: Int = 1) throws {
        guard every >= 1 else { throw ExtractError.option("--every", "must be at least 1, got \(every)") }
        self.colorspace = colorspace
        self.names = names
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        var missing: [Int] = []
        let all: [Item]
        if exists, isDirectory.boolValue {
            let urls = try Self.photos(in: url)
            kind = .photos(urls)
            all = urls.map { Item(file: $0.path, frame: nil) }
        } else if SequencePattern.hasFrameToken(path) {
            let pattern = try SequencePattern(path)
            let listing = try pattern.listing(range: frames)
            let wanted = frames.map { Set($0.frames) }
            let found = wanted.map { w in listing.found.filter { w.contains($0) } } ?? listing.found
            guard !found.isEmpty else { throw ExtractError.input(path, "no frames of the sequence on disk\(frames.map { " in \($0)" } ?? "")") }
            kind = .sequence(pattern)
            missing = listing.missing
            all = found.map { Item(file: pattern.path(frame: $0), frame: $0) }
        } else if !exists {
            throw ExtractError.input(path, "no such file or folder")
        } else if Self.isStill(url) {
            kind = .photos([url])
            all = [Item(file: url.path, frame: nil)]
        } else {
            let reader = try MovieReader(url: url)
            let count = reader.info.frameCount
            guard count > 0 else { throw ExtractError.input(path, "the movie has no frames") }
            let wanted = frames.map { $0.frames.filter { (0..<count).contains($0) } } ?? Array(0..<count)
            guard !wanted.isEmpty else { throw ExtractError.input(path, "no frame of \(frames!) in the movie's 0-\(count - 1)") }
            kind = .movie(url)
            movie = reader
            let space = colorspace ?? PlateColorRules.defaultSpace(.movie(transfer: reader.info.colorTransfer), names: names)
            movieEncoding = try Self.encoding(space, file: path)
            all = wanted.map { Item(file: url.path, frame: $0) }
        }
        items = Swift.stride(from: 0, to: all.count, by: every).map { all[$0] }
        missingFrames = missing
    }

    /// Loads item `index`. Movies must be read in increasing order (frames are decoded forward,
    /// with a seek only when the next wanted frame is far ahead).
    public func load(_ item: Item) throws -> Loaded {
        switch kind {
        case .photos, .sequence:
            return try Self.loadStill(URL(fileURLWithPath: item.file), frame: item.frame, colorspace: colorspace, names: names)
        case .movie:
            return Loaded(pixels: try readMovieFrame(item.frame!), encoding: movieEncoding!, origin: .zero)
        }
    }

    /// One image file and the encoding of its colour space: `colorspace` when given (checked
    /// against an EXR's chromaticities), else the file's own tags.
    public static func loadStill(_ url: URL, frame: Int? = nil, colorspace: NamedColorSpace?, names: ColorSpaceNames) throws -> Loaded {
        if url.pathExtension.lowercased() == "exr" {
            let (image, header) = try ExrImage.read(url, layer: "")
            let space: NamedColorSpace
            do {
                space = try PlateColorRules.space(declared: colorspace, evidence: .exr(header), names: names, file: url.path, policy: .error)
            } catch let error as PlateColorMismatch {
                throw ExtractError.input(url.path, "--colorspace is '\(error.declared)' but the EXR's chromaticities attribute says \(error.tagged)")
            }
            return Loaded(pixels: try rgb(image, url.path, frame: frame), encoding: try encoding(space, file: url.path),
                          origin: SIMD2(Float(header.dataWindow.xMin), Float(header.dataWindow.yMin)))
        }
        let image = try rgb(try StillImage.read(url), url.path, frame: frame)
        let evidence: PlateColorRules.Evidence = url.pathExtension.lowercased() == "png" ? .png(PNGColorTags.read(url)) : .image
        let space = colorspace ?? PlateColorRules.defaultSpace(evidence, names: names)
        return Loaded(pixels: image, encoding: try encoding(space, file: url.path), origin: .zero)
    }

    static func encoding(_ space: NamedColorSpace, file: String) throws -> NetworkEncoding {
        do { return try NetworkEncoding(plate: space) } catch { throw ExtractError.input(file, "\(error)") }
    }

    private func readMovieFrame(_ target: Int) throws -> ImageBuffer {
        guard let movie else { throw ExtractError.input("movie", "reader closed") }
        // Decoding forward beats a key-frame seek for short gaps (e.g. --every 2..30).
        let gap = target - lastMovieFrame
        if gap <= 0 || gap > 60 {
            try movie.seek(toFrame: target)
        }
        while let next = try movie.nextFrame() {
            lastMovieFrame = next.index
            if next.index == target { return next.image }
            if next.index > target { break }
        }
        throw ExtractError.frame(movie.file, target, "the decoder did not return this frame")
    }

    static func isStill(_ url: URL) -> Bool {
        let ext = url.pathExtension.lowercased()
        return ext == "exr" || StillImage.extensions.contains(ext)
    }

    static func photos(in folder: URL) throws -> [URL] {
        let urls = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { isStill($0) && !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent.localizedStandardCompare($1.lastPathComponent) == .orderedAscending }
        guard !urls.isEmpty else {
            throw ExtractError.input(folder.path, "no images in the folder (exr, \(StillImage.extensions.sorted().joined(separator: ", ")))")
        }
        return urls
    }

    /// R, G, B of `image`; a luminance-only (Y) image becomes grey RGB.
    static func rgb(_ image: ImageBuffer, _ file: String, frame: Int?) throws -> ImageBuffer {
        if ["R", "G", "B"].allSatisfy({ image.channelIndex($0) != nil }) { return image }
        if let y = image.channelIndex("Y") {
            return ImageBuffer(width: image.width, height: image.height, channels: ["R", "G", "B"],
                               planes: Array(repeating: image.planes[y], count: 3))
        }
        throw ExtractError.frame(file, frame, "no R, G, B or Y channels (channels: \(image.channelNames.joined(separator: ", ")))")
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
