import Foundation

/// Where the OCIO config comes from: shot.yaml `colour.config:`, else `$OCIO`, else the ACES studio
/// config in `../shared/ocio/` (relative to the working directory, like the model weights).
/// OpenColorIO 2.1 has no built-in configs, so the default is a file. With none of the three,
/// only the four built-in colour spaces are available.
public enum ColorConfigSearch {
    public static let defaultConfigFile = "../shared/ocio/studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio"

    /// The config file to use, or nil when there is none. `explicit` (a shot's `colour.config`)
    /// must exist; `$OCIO` must exist when set (a typo there must not silently fall back).
    public static func locate(explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> String? {
        if let explicit { return explicit }
        if let fromEnvironment = environment["OCIO"], !fromEnvironment.isEmpty {
            let url = URL(fileURLWithPath: fromEnvironment, relativeTo: currentDirectory).standardizedFileURL
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ColorError.config(url.path, "no such file (from $OCIO)")
            }
            return url.path
        }
        let fallback = currentDirectory.appendingPathComponent(defaultConfigFile).standardizedFileURL
        return FileManager.default.fileExists(atPath: fallback.path) ? fallback.path : nil
    }

    /// The names of the located config (built-ins only when there is none).
    public static func names(explicit: String? = nil,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ColorSpaceNames {
        let path = try locate(explicit: explicit, environment: environment)
        return ColorSpaceNames(config: try path.map { try OCIOConfig.load($0) })
    }
}
