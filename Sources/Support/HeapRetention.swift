/// A training step allocates and frees a few hundred MB of activations and gradients. With glibc's
/// defaults the freed top of the heap goes back to the kernel each time and comes back as fresh
/// pages, so much of a step went into page faults zeroing memory (`perf`, demo model). Keeping
/// freed memory in the process lets the next step reuse it.
public enum HeapRetention {
    /// Allocations below 256 MB come from the heap, and up to 1 GB of free heap is kept.
    public static func keepFreedMemory() {
        #if os(Linux)
        _ = glibcMallopt(mallocTrimThreshold, 1 << 30)
        _ = glibcMallopt(mallocTopPad, 64 << 20)
        _ = glibcMallopt(mallocMmapThreshold, 256 << 20)
        #endif
    }
}

#if os(Linux)
// <malloc.h> is not part of Swift's Glibc module; these are its M_TRIM_THRESHOLD, M_TOP_PAD and
// M_MMAP_THRESHOLD.
private let mallocTrimThreshold: Int32 = -1, mallocTopPad: Int32 = -2, mallocMmapThreshold: Int32 = -3
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
