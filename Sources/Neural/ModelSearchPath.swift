import Foundation

/// A weights file that is not in any folder of the model search path.
public struct ModelNotFoundError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let searched: [String]
    public var description: String {
        "model file '\(file)' not found; looked in: " + searched.joined(separator: ", ")
            + " (set PLATESWAP_MODELS to the folder that holds it)"
    }
}

/// Where plateswap looks for model weights: `PLATESWAP_MODELS` (a colon-separated list), then
/// `./models`, then `../shared/models`, each relative to the working directory.
public struct ModelSearchPath: Sendable {
    public var folders: [URL]

    public init(folders: [URL]) { self.folders = folders }

    /// The default search path, from the environment and the current directory.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment,
                                currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        -> ModelSearchPath
    {
        var folders: [URL] = []
        if let list = environment["PLATESWAP_MODELS"] {
            folders += list.split(separator: ":").map { URL(fileURLWithPath: String($0), relativeTo: currentDirectory).standardizedFileURL }
        }
        folders.append(currentDirectory.appendingPathComponent("models").standardizedFileURL)
        folders.append(currentDirectory.appendingPathComponent("../shared/models").standardizedFileURL)
        return ModelSearchPath(folders: folders)
    }

    /// The first existing `folder/relativePath`, e.g. `taesd/taef2_encoder.safetensors`.
    public func locate(_ relativePath: String) throws -> URL {
        for folder in folders {
            let candidate = folder.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw ModelNotFoundError(file: relativePath, searched: folders.map(\.path))
    }
}
