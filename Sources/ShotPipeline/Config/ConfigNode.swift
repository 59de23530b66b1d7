import Foundation
import Support
import Yams

/// A YAML file opened for validation; nodes read from it carry the file name and key paths for errors.
public struct ConfigDocument {
    /// The name errors print (the path as the user gave it).
    public let displayName: String
    /// Folder that relative paths in the file are resolved against.
    public let baseDirectory: URL
    public let root: ConfigNode

    /// Reads and parses `url`; syntax errors become `ConfigError`s with the line.
    public init(url: URL, displayName: String? = nil) throws {
        let name = displayName ?? url.path
        let text = try YAMLBounds.read(url, displayName: name)
        try self.init(text: text, displayName: name, baseDirectory: url.deletingLastPathComponent())
    }

    public init(text: String, displayName: String, baseDirectory: URL) throws {
        self.displayName = displayName
        self.baseDirectory = baseDirectory.standardizedFileURL
        // Depth, size, list lengths and aliases are measured before Yams builds its tree.
        try YAMLBounds.check(text, file: displayName)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: displayName)
        } catch {
            throw ConfigError(file: displayName, line: 0, keyPath: "", message: "not valid YAML (\(error))")
        }
        guard let node else {
            throw ConfigError(file: displayName, line: 1, keyPath: "", message: "the file is empty")
        }
        root = ConfigNode(node: node, path: "", document: Context(name: displayName, base: self.baseDirectory))
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return ConfigError(file: file, line: mark.line, keyPath: "", message: "YAML syntax error: \(problem)")
        default:
            return ConfigError(file: file, line: 0, keyPath: "", message: "YAML syntax error: \(error)")
        }
    }

    struct Context {
        let name: String
        let base: URL
    }
}

/// One YAML node with its key path, and typed accessors that throw `ConfigError`s naming the key and line.
public struct ConfigNode {
    let node: Node
    /// Dotted key path (`plate.frames`, `output.layers[1]`).
    public let path: String
    let document: ConfigDocument.Context

    public var line: Int { node.mark?.line ?? 0 }
    /// Whether the value is a mapping (`{a: 1}`), for keys that take a short scalar form too.
    public var isMapping: Bool { if case .mapping = node { return true } else { return false } }

    /// An error located at this node.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: document.name, line: line, keyPath: path, message: message)
    }

    var isNull: Bool {
        if case let .scalar(s) = node, s.style == .plain || s.style == .any {
            return ["", "~", "null", "Null", "NULL"].contains(s.string)
        }
        return false
    }

    private var kind: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case let .scalar(s):
            if isNull { return "nothing" }
            return "'\(s.string)'"
        }
    }

    // MARK: Scalars

    public func string() throws -> String {
        guard case let .scalar(s) = node, !isNull else { throw error("expected a string, got \(kind)") }
        return s.string
    }

    /// A name that goes into logs and report.json: one line, at most `YAMLBounds.maximumNameLength` characters.
    public func name() throws -> String {
        let text = try string()
        guard text.count <= YAMLBounds.maximumNameLength else {
            throw error("a name of \(text.count) characters; names are at most \(YAMLBounds.maximumNameLength) (they go into every log line and report.json)")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw error("a name must be one line without control characters")
        }
        return text
    }

    public func int(in range: ClosedRange<Int>? = nil) throws -> Int {
        guard case let .scalar(s) = node, s.style == .plain || s.style == .any, let value = Int.construct(from: s) else {
            throw error("expected an integer, got \(kind)")
        }
        if let range, !range.contains(value) { throw error("\(value) is out of range (expected \(Self.describe(range)))") }
        return value
    }

    public func double(in range: ClosedRange<Double>? = nil) throws -> Double {
        guard case let .scalar(s) = node, s.style == .plain || s.style == .any, let value = Double.construct(from: s) else {
            throw error("expected a number, got \(kind)")
        }
        guard value.isFinite else { throw error("expected a finite number, got '\(s.string)'") }
        if let range, !range.contains(value) { throw error("\(s.string) is out of range (expected \(Self.describe(range)))") }
        return value
    }

    public func bool() throws -> Bool {
        guard case let .scalar(s) = node, s.style == .plain || s.style == .any, let value = Bool.construct(from: s) else {
            throw error("expected true or false, got \(kind)")
        }
        return value
    }

    /// A value from a fixed list, e.g. compression names.
    public func oneOf<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws -> E where E.RawValue == String {
        let text = try string()
        guard let value = E(rawValue: text) else {
            let names = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("unknown value '\(text)' (expected one of \(names))")
        }
        return value
    }

    /// A file or folder path; relative paths are resolved against the yaml's folder.
    public func url(mustExist: Bool = false, directory: Bool? = nil) throws -> URL {
        let text = try string()
        guard !text.isEmpty else { throw error("expected a path, got an empty string") }
        let expanded = (text as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : document.base.appendingPathComponent(expanded)
        let resolved = url.standardizedFileURL
        if mustExist {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDirectory) else {
                throw error("'\(text)' does not exist (looked for \(resolved.path))")
            }
            if let directory, directory != isDirectory.boolValue {
                throw error("'\(text)' is \(isDirectory.boolValue ? "a folder" : "a file"), expected \(directory ? "a folder" : "a file")")
            }
        }
        return resolved
    }

    /// One path, or a non-empty list of paths (as `url`, each).
    public func urls(mustExist: Bool = false, directory: Bool? = nil) throws -> [URL] {
        guard case .sequence = node else { return [try url(mustExist: mustExist, directory: directory)] }
        let items = try list()
        if items.isEmpty { throw error("list at least one path") }
        return try items.map { try $0.url(mustExist: mustExist, directory: directory) }
    }

    // MARK: Collections

    public func list() throws -> [ConfigNode] {
        guard case let .sequence(seq) = node else { throw error("expected a list, got \(kind)") }
        return seq.enumerated().map { i, child in ConfigNode(node: child, path: "\(path)[\(i)]", document: document) }
    }

    /// Opens this node as a mapping whose keys must all be in `allowed`; unknown keys are errors.
    public func mapping(allowed: [String]) throws -> ConfigMapping {
        guard case let .mapping(map) = node else { throw error("expected a mapping, got \(kind)") }
        var children: [String: ConfigNode] = [:]
        for (keyNode, valueNode) in map {
            let keyConfig = ConfigNode(node: keyNode, path: path, document: document)
            guard case let .scalar(key) = keyNode else { throw keyConfig.error("keys must be plain names") }
            let childPath = path.isEmpty ? key.string : "\(path).\(key.string)"
            guard allowed.contains(key.string) else {
                let suggestion = Self.closest(to: key.string, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigError(file: document.name, line: keyNode.mark?.line ?? line, keyPath: childPath,
                                  message: "unknown key (expected one of \(allowed.joined(separator: ", "))\(suggestion))")
            }
            guard children[key.string] == nil else {
                throw ConfigError(file: document.name, line: keyNode.mark?.line ?? line, keyPath: childPath,
                                  message: "duplicate key")
            }
            children[key.string] = ConfigNode(node: valueNode, path: childPath, document: document)
        }
        return ConfigMapping(owner: self, children: children)
    }

    private static func describe<T>(_ range: ClosedRange<T>) -> String {
        "\(range.lowerBound) to \(range.upperBound)"
    }

    /// The allowed key nearest in edit distance, when it is close enough to be a likely typo.
    static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(Array(key), Array($0))) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(1, key.count / 3) else { return nil }
        return best
    }

}

/// The keys of one mapping, looked up by name; a missing required key names the mapping's line.
public struct ConfigMapping {
    public let owner: ConfigNode
    let children: [String: ConfigNode]

    /// The child node, or nil when the key is absent or explicitly null.
    public subscript(key: String) -> ConfigNode? {
        guard let child = children[key], !child.isNull else { return nil }
        return child
    }

    public func required(_ key: String) throws -> ConfigNode {
        guard let child = self[key] else {
            let fullPath = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw ConfigError(file: owner.document.name, line: owner.line, keyPath: fullPath, message: "missing required key")
        }
        return child
    }

    /// Optional nested mapping: absent means every key takes its default.
    public func section(_ key: String, allowed: [String]) throws -> ConfigMapping? {
        try self[key]?.mapping(allowed: allowed)
    }
}
