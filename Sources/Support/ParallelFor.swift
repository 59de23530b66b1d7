import Dispatch
import Foundation

/// Number of worker threads plateswap uses for data-parallel loops (`PLATESWAP_THREADS`, default: all cores).
public let workerCount: Int = {
    if let text = ProcessInfo.processInfo.environment["PLATESWAP_THREADS"], let n = Int(text), n > 0 { return n }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}()

/// Runs `body(i)` for every `i` in `0..<count`, spread over `threads` workers, and returns when all are done.
///
/// The body may capture unsafe pointers: the loop does not outlive the call, so the closure
/// never escapes (it is wrapped so `concurrentPerform` accepts it).
public func parallelFor(_ count: Int, threads: Int = workerCount, _ body: (Int) -> Void) {
    guard count > 0 else { return }
    let workers = min(threads, count)
    if workers <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedBox(escapable)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // Contiguous ranges per worker keep memory access local.
            let start = count * worker / workers
            let end = count * (worker + 1) / workers
            for i in start..<end { box.value(i) }
        }
    }
}

/// Runs `body(range)` over `0..<count` split into `threads` contiguous ranges.
public func parallelRanges(_ count: Int, threads: Int = workerCount, _ body: (Range<Int>) -> Void) {
    let workers = max(1, min(threads, count))
    parallelFor(workers, threads: workers) { w in
        body((count * w / workers)..<(count * (w + 1) / workers))
    }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
