// plateswap-bench: release-build benchmarks. Each suite prints ratios measured in one run
// (see BENCHMARKS.md). Usage: plateswap-bench [suite ...]
import Support
import Foundation

let suites: [String: () throws -> Void] = [
    "codec": CodecBenchmark.run,
    "exr": runExrBenchmark,
    "exr-parts": runExrPartsBenchmark,
    "extract": ExtractBenchmark.run,
    "faces": FaceBenchmark.run,
    "hash": HashBenchmark.run,
    "media": MediaBenchmark.run,
    "neural": NeuralBenchmark.run,
    "neural-train": NeuralBenchmark.training,
    "swap": SwapBenchmark.run,
    "pipeline": PipelineBenchmark.run,
    "taef2": CodecBenchmark.runTAEF2,
    "swap-heldout": HeldoutBenchmark.run,
]
OpenMPWaitPolicy.relaunchPassiveIfUnset()
let requested = Array(CommandLine.arguments.dropFirst())
let names = requested.isEmpty ? suites.keys.sorted() : requested
for name in names {
    guard let suite = suites[name] else {
        FileHandle.standardError.write("unknown suite \(name); known: \(suites.keys.sorted())\n".data(using: .utf8)!)
        exit(2)
    }
    try suite()
}
