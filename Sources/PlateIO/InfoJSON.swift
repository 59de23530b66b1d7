/// A small JSON value with ordered object keys, so `plateswap info --json` prints fields in a
/// stable, documented order (Foundation's serializer sorts or scrambles them).
public indirect enum InfoJSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Float)
    case double(Double)
    case string(String)
    case array([InfoJSON])
    case object([(String, InfoJSON)])

    public static func == (a: InfoJSON, b: InfoJSON) -> Bool { a.serialized() == b.serialized() }

    /// Looks up a key of an object (nil for other values).
    public subscript(key: String) -> InfoJSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    /// Compact JSON text. Non-finite numbers, which JSON cannot hold, become "nan", "inf", "-inf".
    public func serialized() -> String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let f): out += f.isFinite ? "\(f)" : InfoJSON.nonFinite(Double(f))
        case .double(let d): out += d.isFinite ? "\(d)" : InfoJSON.nonFinite(d)
        case .string(let s): InfoJSON.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += "," }
                InfoJSON.quote(key, into: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func nonFinite(_ d: Double) -> String { d.isNaN ? "\"nan\"" : (d > 0 ? "\"inf\"" : "\"-inf\"") }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
