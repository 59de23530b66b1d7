import Foundation
import Imaging
import PlateIO

/// Warps and resizes of a 3840x2160 RGBA frame, and movie decode against the ffmpeg CLI.
enum MediaBenchmark {
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    static func run() throws {
        var image = ImageBuffer(width: 3840, height: 2160, channels: ["R", "G", "B", "A"])
        for c in 0..<4 { for i in 0..<image.pixelCount { image.planes[c][i] = Float((i &* 2654435761 &+ c) % 1000) / 1000 } }
        let centre = AffineTransform.translation(1920, 1080)
        let rotate = centre.concatenating(after: .rotation(0.1).concatenating(after: centre.inverse!))
        print("media: 3840x2160 RGBA warps, ms (best of 3)")
        for filter in ResampleFilter.allCases {
            let rotated = try (0..<3).map { _ in try time { _ = image.warpAffine(matrix: rotate, width: 3840, height: 2160, filter: filter) } }.min()!
            let shifted = try (0..<3).map { _ in try time { _ = image.warpAffine(matrix: .translation(0.37, -0.61), width: 3840, height: 2160, filter: filter) } }.min()!
            print(String(format: "  %-8@ rotate %7.1f  axis-aligned (separable) %7.1f  ratio %.2f", filter.rawValue as NSString, rotated, shifted, rotated / shifted))
        }
        let proxy = try (0..<3).map { _ in try time { _ = image.resized(width: 960, height: 540, filter: .area) } }.min()!
        print(String(format: "  area resize to 960x540 %.1f ms", proxy))

        let shared = URL(fileURLWithPath: ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] ?? "../shared")
        let movie = shared.appendingPathComponent("data/plates/s18_prores422hq.mov")
        guard FileManager.default.fileExists(atPath: movie.path) else { print("  (no shared data: movie decode skipped)"); return }
        let ours = try time {
            let reader = try MovieReader(url: movie)
            while try reader.nextFrame() != nil {}
        }
        let cli = try time {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-i", movie.path, "-vf",
                           "scale=in_color_matrix=bt709:in_range=tv:flags=bicubic+accurate_rnd+full_chroma_int+full_chroma_inp,format=gbrpf32le",
                           "-f", "null", "-"]
            try p.run()
            p.waitUntilExit()
        }
        print(String(format: "media: ProRes 422 HQ 1280x720, 24 frames to float RGB: MovieReader %.1f ms, ffmpeg CLI %.1f ms, ratio %.2f", ours, cli, ours / cli))
    }
}
