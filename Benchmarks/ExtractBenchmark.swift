// Suite `extract`: `plateswap extract` throughput (frames/s, whole run: decode, detect, landmarks,
// align, PNG writes) on 60 frames of footage/talking_d9.mp4 (512x480, one face), by crop size and
// MTCNN minimum face size.
import FaceAlign
import Foundation
import Imaging
import ShotPipeline

enum ExtractBenchmark {
    static func run() throws {
        let clip = FaceBenchmark.shared.appendingPathComponent("footage/talking_d9.mp4")
        print("extract: footage/talking_d9.mp4 frames 0-59, one face per frame (frames/s, whole run)")
        print("| crop | min face | frames/s | s/frame |")
        print("|---|---|---|---|")
        var results: [Double] = []
        for (size, minFace) in [(256, 20.0), (512, 20.0), (512, 80.0)] {
            var options = ExtractOptions()
            options.size = size
            options.minFace = minFace
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-bench-extract-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: out) }
            let source = try FaceImageSource(path: clip.path, colorspace: NamedColorSpace(.srgb), frames: try .init(parsing: "0-59"))
            let extractor = try FaceSetExtractor(options: options)
            let start = Date()
            let doc = try extractor.run(source, into: out, progressLabel: "bench extract")
            let seconds = Date().timeIntervalSince(start)
            precondition(doc.faces.count == 60, "expected a face on every frame, got \(doc.faces.count)")
            results.append(60 / seconds)
            print(String(format: "| %d | %.0f | %.2f | %.3f |", size, minFace, 60 / seconds, seconds / 60))
        }
        print(String(format: "extract: 512 vs 256 px crops %.2fx the rate; min face 80 vs 20 at 512 px %.2fx",
                     results[1] / results[0], results[2] / results[1]))
    }
}
