/// The median (the mean of the middle two for an even count); NaN for no values.
public func median<T: FloatingPoint>(_ values: [T]) -> T {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
