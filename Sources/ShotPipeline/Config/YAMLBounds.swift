import CYaml
import Foundation
import Support

/// Limits a shot.yaml or train.yaml must keep before Yams composes it. Yams builds its node tree
/// recursively (5000 nested `[` overflow the stack) and holds every value, so a hostile file could
/// crash the process or take gigabytes. The text is first walked with libyaml's event parser, which
/// keeps its own stack on the heap: nesting, lists and alias expansion are measured there, and a file
/// over a limit is a `ConfigError` naming its line before any tree exists.
public enum YAMLBounds {
    /// Largest file read (1 MiB): a shot.yaml is a few hundred bytes.
    public static let maximumBytes = 1 << 20
    /// Deepest nesting of lists and mappings (shot.yaml needs 3).
    public static let maximumDepth = 64
    /// Most items in one list or keys in one mapping (`plate.frames` lists; ranges such as
    /// `1001-1096` have no such limit).
    public static let maximumItems = 100_000
    /// Most values in the whole document with every alias expanded ("billion laughs" bombs).
    public static let maximumValues = 200_000
    /// Longest string value (a path is at most 4096 bytes on Linux).
    public static let maximumStringLength = 4096
    /// Longest name that goes into logs and report.json (`shot`).
    public static let maximumNameLength = 256

    /// Reads at most `maximumBytes` of `url` as UTF-8 text; a larger file is refused unread.
    static func read(_ url: URL, displayName: String) throws -> String {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            throw ConfigError(file: displayName, line: 0, keyPath: "", message: "cannot read the file (\(ErrorText.describe(error)))")
        }
        guard data.count <= maximumBytes else { throw tooLarge(displayName) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: displayName, line: 0, keyPath: "", message: "not UTF-8 text")
        }
        return text
    }

    static func tooLarge(_ file: String) -> ConfigError {
        ConfigError(file: file, line: 0, keyPath: "", message: "larger than \(maximumBytes) bytes (1 MiB); a YAML configuration is a few hundred bytes")
    }

    /// Throws a `ConfigError` at the first place `text` goes over a limit. Syntax errors are left
    /// to Yams, which reports them with their line (it stops at the same event).
    public static func check(_ text: String, file: String) throws {
        guard text.utf8.count <= maximumBytes else { throw tooLarge(file) }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = Walk(file: file)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return }
                try walk.visit(event)
            }
        }
    }

    /// The open collections while walking the events, and what every anchor expands to.
    private struct Walk {
        struct Open {
            var line: Int
            var isList: Bool
            var anchor: String?
            var items = 0
            var values = 1
            var depth = 1
        }
        struct Anchored { var values: Int, depth: Int }

        let file: String
        var open: [Open] = []
        var anchors: [String: Anchored] = [:]
        var values = 0

        func error(_ line: Int, _ message: String) -> ConfigError {
            ConfigError(file: file, line: line, keyPath: "", message: message)
        }

        mutating func visit(_ event: yaml_event_t) throws {
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let list = event.type == YAML_SEQUENCE_START_EVENT
                let anchor = list ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                guard open.count < YAMLBounds.maximumDepth else {
                    throw error(line, "nested deeper than \(YAMLBounds.maximumDepth) levels of lists and mappings")
                }
                try count(1, line: line)
                open.append(Open(line: line, isList: list, anchor: anchor.map { String(cString: $0) }))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { return }
                if let anchor = closed.anchor { anchors[anchor] = Anchored(values: closed.values, depth: closed.depth) }
                try add(values: closed.values, depth: closed.depth)
            case YAML_SCALAR_EVENT:
                let length = Int(event.data.scalar.length)
                guard length <= YAMLBounds.maximumStringLength else {
                    throw error(line, "a value of \(length) bytes; values are at most \(YAMLBounds.maximumStringLength)")
                }
                try count(1, line: line)
                if let anchor = event.data.scalar.anchor { anchors[String(cString: anchor)] = Anchored(values: 1, depth: 0) }
                try add(values: 1, depth: 0)
            case YAML_ALIAS_EVENT:
                // An alias stands for a whole copy of its anchor: count what it expands to.
                guard let name = event.data.alias.anchor.map({ String(cString: $0) }), let target = anchors[name] else { return }
                guard open.count + target.depth <= YAMLBounds.maximumDepth else {
                    throw error(line, "alias *\(name) nests deeper than \(YAMLBounds.maximumDepth) levels of lists and mappings")
                }
                try count(target.values, line: line, alias: name)
                try add(values: target.values, depth: target.depth)
            default:
                return
            }
        }

        /// Counts values of the whole document, aliases expanded.
        mutating func count(_ n: Int, line: Int, alias: String? = nil) throws {
            values += n
            guard values <= YAMLBounds.maximumValues else {
                let cause = alias.map { "alias *\($0) expands the document to" } ?? "the document holds"
                throw error(line, "\(cause) more than \(YAMLBounds.maximumValues) values (aliases counted as copies); "
                    + "a configuration needs a few dozen")
            }
        }

        /// A finished child (scalar, collection or alias) joins the innermost open collection.
        mutating func add(values: Int, depth: Int) throws {
            guard var parent = open.popLast() else { return }
            parent.items += 1
            parent.values += values
            parent.depth = max(parent.depth, depth + 1)
            let limit = parent.isList ? YAMLBounds.maximumItems : 2 * YAMLBounds.maximumItems
            guard parent.items <= limit else {
                throw error(parent.line, parent.isList
                    ? "a list of more than \(YAMLBounds.maximumItems) items (write frame lists as ranges such as 1001-1096)"
                    : "a mapping of more than \(YAMLBounds.maximumItems) keys")
            }
            open.append(parent)
        }
    }
}
