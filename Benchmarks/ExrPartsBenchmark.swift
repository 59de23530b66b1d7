// Benchmark `exr-parts`: the parts of a multi-part plate an output writes through unchanged, by the
// two ways PlateIO can: (a) decode each part (`ExrImage.readPart`, every channel, uint exact) and
// encode it again (`ExrWriter.writeParts` from pixels, the output's compression), which is how they
// went before; (b) copy each part's chunks as stored (`ExrPartImage(copying:of:header:)`,
// Imf's copyPixels), how `run` writes them now. The plate: a 3840x2160 RGBA half part (the swapped
// one, left out of both timings), a float Z part and a 3-channel half AOV part of the same size,
// ZIP or PIZ. Fastest of 3, (a) and (b) interleaved.
import Foundation
import Imaging
import PlateIO

func runExrPartsBenchmark() throws {
    let width = 3840, height = 2160, repeats = 3
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-bench-exr-parts-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    func plane(_ seed: Int, _ scale: Float) -> [Float] {
        (0..<(width * height)).map { i in
            let (x, y) = (Float(i % width), Float(i / width))
            return (sin(x * 0.01 + Float(seed)) * cos(y * 0.013) + Float((i &* 2_654_435_761) % 97) / 970) * scale
        }
    }
    func part(_ name: String, _ channels: [String], scale: Float, types: [String: ExrPixelType] = [:]) -> ExrPartImage {
        var header = ExrHeader(dataWindow: PixelBox(width: width, height: height))
        header.partName = name
        let image = ImageBuffer(width: width, height: height, channels: channels,
                                planes: channels.indices.map { plane($0 + name.count, scale) })
        return ExrPartImage(image: image, header: header, channelTypes: types)
    }
    let parts = [part("beauty", ["R", "G", "B", "A"], scale: 1), part("depth", ["Z"], scale: 1000, types: ["Z": .float]),
                 part("aov", ["spec.R", "spec.G", "spec.B"], scale: 2)]
    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    print("exr-parts: 2 pass-through parts of 3840x2160 (Z float, 3 half channels), ms per frame (fastest of \(repeats))")
    print("| compression | plate MB | (a) decode + encode | (b) copy chunks | b/a |")
    print("|---|---|---|---|---|")
    for compression in [ExrCompression.zip, .piz] {
        let plate = folder.appendingPathComponent("plate_\(compression.name).exr")
        try ExrWriter.writeParts(parts, to: plate, compression: compression)
        let headers = try ExrImage.headers(of: plate)
        // The swapped part stays out of both: a one-pixel stand-in keeps the file multi-part.
        var stub = ExrHeader(dataWindow: PixelBox(width: 1, height: 1), displayWindow: headers[0].displayWindow)
        stub.partName = "beauty"
        let swapped = ExrPartImage(image: ImageBuffer(width: 1, height: 1, channels: ["R"], fill: 0), header: stub)
        var (decoded, copied) = (Double.infinity, Double.infinity)
        for r in 0..<repeats {
            sync()
            decoded = min(decoded, try seconds {
                let through = try (1..<headers.count).map { try ExrImage.readPart(plate, part: $0) }
                try ExrWriter.writeParts([swapped] + through, to: folder.appendingPathComponent("a\(r).exr"), compression: compression)
            })
            sync()
            copied = min(copied, try seconds {
                let through = (1..<headers.count).map { ExrPartImage(copying: $0, of: plate, header: headers[$0]) }
                try ExrWriter.writeParts([swapped] + through, to: folder.appendingPathComponent("b\(r).exr"), compression: compression)
            })
        }
        let size = Double((try FileManager.default.attributesOfItem(atPath: plate.path)[.size] as? Int) ?? 0) / 1e6
        print(String(format: "| %@ | %.1f | %.0f | %.0f | %.3f |", compression.name.uppercased(), size, decoded * 1000, copied * 1000, copied / decoded))
    }
}
