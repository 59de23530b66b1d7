import Foundation
import Support

/// The stable identity of a loaded codec, used to key latent caches: a latent computed with other
/// weights (or another config) must never be reused.
public struct CodecIdentity: Equatable, Sendable, CustomStringConvertible {
    /// The codec family, e.g. `taef2`, `taesd`, `sdvae`.
    public let name: String
    /// SHA-256 over the weight files' own SHA-256 digests (in order) and the architecture text.
    public let sha256: String

    /// `name-` plus the first 16 hex digits of the digest: short enough for a folder name.
    public var id: String { "\(name)-\(sha256.prefix(16))" }
    public var description: String { id }

    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }

    /// Hashes each weight file, then the list of digests together with `architecture` (e.g. the
    /// SD VAE config, whose scaling factor changes the latents without changing the weights). A
    /// weight file whose size and time match its entry in `digests` is not read (farm tasks).
    public init(name: String, weightFiles: [URL], architecture: String = "", digests: FileDigestCache = FileDigestCache()) throws {
        var combined = SHA256()
        for file in weightFiles {
            let digest: String
            do { digest = try digests.sha256(of: file) } catch {
                throw CodecError.badFile(file: file.path, reason: "cannot read for hashing: \(error.localizedDescription)")
            }
            combined.update(digest + "\n")
        }
        combined.update(architecture)
        self.init(name: name, sha256: combined.finalizeHex())
    }
}

/// A codec identity computed on first use: many runs (a round trip, a benchmark) never need the
/// id, and an uncached 335 MB SD VAE file still takes about half a second to hash.
final class LazyCodecIdentity: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: CodecIdentity?
    private let make: () throws -> CodecIdentity

    init(_ make: @escaping () throws -> CodecIdentity) { self.make = make }

    init(_ identity: CodecIdentity) {
        cached = identity
        make = { identity }
    }

    var value: CodecIdentity {
        get throws {
            lock.lock()
            defer { lock.unlock() }
            if let cached { return cached }
            let identity = try make()
            cached = identity
            return identity
        }
    }
}
