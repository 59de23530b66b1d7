import FaceAlign
import Foundation
import Imaging
import PlateIO

/// Loads item n + 1 of a source on a background queue while item n is being processed. Items are
/// taken in order, one queue keeps a movie's reads sequential.
final class ReadAhead: @unchecked Sendable {
    private let source: FaceImageSource
    private let queue = DispatchQueue(label: "plateswap.extract.read")
    private var pending: (index: Int, group: DispatchGroup)?
    private var result: Result<FaceImageSource.Loaded, Error>?

    init(_ source: FaceImageSource) { self.source = source }

    func take(_ index: Int) throws -> FaceImageSource.Loaded {
        let loaded: Result<FaceImageSource.Loaded, Error>
        if let pending, pending.index == index {
            pending.group.wait()
            loaded = result!
        } else {
            pending?.group.wait()
            loaded = Result { try source.load(source.items[index]) }
        }
        pending = nil
        result = nil
        if index + 1 < source.items.count {
            let group = DispatchGroup()
            let next = source.items[index + 1]
            queue.async(group: group) { [self] in result = Result { try source.load(next) } }
            pending = (index + 1, group)
        }
        return try loaded.get()
    }
}

/// Writes crops (16-bit PNG) and masks (8-bit PNG) on a background queue, a few at a time.
final class FaceWriter: @unchecked Sendable {
    private let directory: URL
    private let queue = DispatchQueue(label: "plateswap.extract.write")
    private let slots = DispatchSemaphore(value: 4)
    private let lock = NSLock()
    private var firstError: Error?

    init(directory: URL) { self.directory = directory }

    func write(_ face: AlignedFace, name: String) {
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            do {
                try PNGFile.write(face.crop, bitDepth: 16, to: directory.appendingPathComponent("faces/\(name)"))
                let m = face.mask.planes[0]
                let mask = ImageBuffer(width: face.size, height: face.size, channels: ["R", "G", "B"], planes: [m, m, m])
                try PNGFile.write(mask, bitDepth: 8, to: directory.appendingPathComponent("masks/\(name)"))
            } catch {
                lock.lock()
                if firstError == nil { firstError = error }
                lock.unlock()
            }
        }
    }

    /// Waits for every queued write; throws the first failure.
    func finish() throws {
        queue.sync {}
        lock.lock()
        defer { lock.unlock() }
        if let firstError { throw firstError }
    }
}
