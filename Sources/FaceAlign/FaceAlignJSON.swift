import Foundation

/// The JSON files FaceAlign writes (tracks.json, faceset.json): sorted keys, typed read errors.
public protocol FaceAlignJSON: Codable {}

extension FaceAlignJSON {
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads and decodes a file; any failure is a `FaceAlignError.badFile` naming it.
    public static func read(from url: URL) throws -> Self {
        do {
            return try JSONDecoder().decode(Self.self, from: Data(contentsOf: url))
        } catch {
            throw FaceAlignError.badFile(url.path, "\(error)")
        }
    }
}
