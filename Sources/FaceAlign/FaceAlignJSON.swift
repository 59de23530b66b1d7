import Foundation
import Support

/// The JSON files FaceAlign writes (tracks.json, faceset.json): sorted keys, typed read errors.
public protocol FaceAlignJSON: Codable {}

extension FaceAlignJSON {
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads and decodes a file; any failure is a `FaceAlignError.badFile` naming it and saying, in
    /// plain words, what is wrong (e.g. `missing key 'frames_without_faces'`).
    public static func read(from url: URL) throws -> Self {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FaceAlignError.badFile(url.path, "cannot be read (\(FileError(.read, url.path, error).reason))")
        }
        do {
            return try JSONDecoder().decode(Self.self, from: data)
        } catch {
            throw FaceAlignError.badFile(url.path, ErrorText.describe(error))
        }
    }
}
