/// Errors of FaceAlign; each names the file (and frame or field) involved.
public enum FaceAlignError: Error, CustomStringConvertible, Equatable {
    case badFile(String, String)
    case badModel(String, String)
    case badInput(String)

    public var description: String {
        switch self {
        case .badFile(let path, let why): return "\(path): \(why)"
        case .badModel(let path, let why): return "model \(path): \(why)"
        case .badInput(let why): return why
        }
    }
}
