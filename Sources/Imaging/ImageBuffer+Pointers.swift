extension ImageBuffer {
    /// Calls `body` with a read pointer to every plane, in channel order, valid during the call.
    /// Not called for empty images (returns nil).
    public func withPlanePointers<R>(_ body: ([UnsafePointer<Float>]) throws -> R) rethrows -> R? {
        guard pixelCount > 0 else { return nil }
        var pointers: [UnsafePointer<Float>] = []
        pointers.reserveCapacity(planes.count)
        func level(_ i: Int) throws -> R {
            if i == planes.count { return try body(pointers) }
            return try planes[i].withUnsafeBufferPointer { buffer in
                pointers.append(buffer.baseAddress!)
                return try level(i + 1)
            }
        }
        return try level(0)
    }

    /// Makes `count` new planes of `size` values and lets `body` fill them through pointers.
    /// `body` must write every value: the planes start uninitialised.
    static func makePlanes(count: Int, size: Int, _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
        var pointers: [UnsafeMutablePointer<Float>] = []
        pointers.reserveCapacity(count)
        func level(_ i: Int) -> [[Float]] {
            if i == count {
                if size > 0 { body(pointers) }
                return []
            }
            var rest: [[Float]] = []
            let plane = [Float](unsafeUninitializedCapacity: max(size, 1)) { buffer, initialised in
                pointers.append(buffer.baseAddress!)
                rest = level(i + 1)
                initialised = size
            }
            return [plane] + rest
        }
        return level(0)
    }
}
