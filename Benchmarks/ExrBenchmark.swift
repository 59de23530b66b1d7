// Benchmark `exr`: a 3840x2160 RGBA half frame, NONE/ZIP/PIZ/DWAA, 1 and 2 threads.
// (a) PlateIO: ExrImage.read into fresh planar Float32 planes, and into the planes of the previous
//     frame (`read(into:)`, how a sequence is read), and ExrWriter.write back to half;
// (b) OpenEXR's own RgbaInputFile/RgbaOutputFile on its native half buffers (the floor);
// for NONE, whose chunks PlateIO moves itself, two stricter floors: reads of every raw chunk from
// Imf into a reused half frame (I/O without conversion), and writes of the same half pixels
// packed into scan lines through OpenEXR's C core (how PlateIO writes NONE, minus the conversion);
// (c) `oiiotool in.exr -o out.exr`, wall time with start-up.
// Each figure is the fastest of `repeats` runs, (a) and (b) interleaved so they share the noise.
import ExrBenchShim
import Foundation
import Imaging
import PlateIO

func runExrBenchmark() throws {
    let width = 3840, height = 2160, repeats = 3
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plateswap-bench-exr-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    guard let synthetic = exrshim_rgba_synthetic(Int32(width), Int32(height)) else { fatalError("synthetic image") }
    defer { exrshim_rgba_free(synthetic) }
    var message = [CChar](repeating: 0, count: 512)

    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    func check(_ status: Int32) {
        if status != 0 { fatalError(String(cString: message)) }
    }

    // PLATESWAP_BENCH_EXR=none,piz limits the compressions (for quick iterations).
    let only = ProcessInfo.processInfo.environment["PLATESWAP_BENCH_EXR"]?.split(separator: ",").map { String($0) }
    let compressions = [ExrCompression.none, .zip, .piz, .dwaa].filter { only?.contains($0.name) ?? true }
    print("exr: \(width)x\(height) RGBA half, ms per frame (fastest of \(repeats)); ratios (a)/(b) and (a)/(c)")
    print("| compression | threads | MB | read (a) fresh planes | read (a) reused planes | read (b) | read a/b fresh | read a/b reused | raw read floor | (a) reused / raw | write (a) | write (b) | write a/b | core write floor | (a) / core | oiiotool (c) | (a read reused + write)/(c) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for compression in compressions {
        let input = folder.appendingPathComponent("in_\(compression.name).exr")
        check(exrshim_rgba_save(synthetic, input.path, Int32(compression.rawValue), 2, &message, message.count))
        let megabytes = Double((try FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0) / 1e6
        var rawFrame = [UInt8](repeating: 1, count: width * height * 8)   // touched once, reused
        for threads in [1, 2] {
            var best = (aRead: Double.infinity, aReused: Double.infinity, bRead: Double.infinity, bRawRead: Double.infinity, aWrite: Double.infinity,
                        bWrite: Double.infinity, bCoreWrite: Double.infinity, c: Double.infinity)
            let options = ExrReadOptions(threads: threads)
            var reused = ImageBuffer(width: 0, height: 0, channels: [])
            try ExrImage.read(input, options: options, into: &reused)   // the previous frame of a sequence
            for _ in 0..<repeats {
                var image = ImageBuffer(width: 0, height: 0, channels: [])
                var header = ExrHeader(dataWindow: PixelBox(width: 1, height: 1))
                best.aRead = min(best.aRead, try seconds { (image, header) = try ExrImage.read(input, options: options) })
                best.aReused = min(best.aReused, try seconds { try ExrImage.read(input, options: options, into: &reused) })
                var native: OpaquePointer?
                best.bRead = min(best.bRead, seconds { native = exrshim_rgba_load(input.path, Int32(threads), &message, message.count) })
                guard let native else { fatalError(String(cString: message)) }
                if compression == .none {
                    best.bRawRead = min(best.bRawRead, seconds { let capacity = rawFrame.count
                        check(exrshim_read_raw_scanlines(input.path, &rawFrame, capacity, &message, message.count)) })
                }
                let outA = folder.appendingPathComponent("a.exr"), outB = folder.appendingPathComponent("b.exr")
                // Each timed write makes a new file and starts with no dirty pages: otherwise it pays
                // for freeing the previous run's 66 MB file (rename over it / O_TRUNC) and for the
                // kernel's writeback of the last write (dirty-page throttling).
                try? FileManager.default.removeItem(at: outA)
                try? FileManager.default.removeItem(at: outB)
                sync()
                best.aWrite = min(best.aWrite, try seconds {
                    try ExrWriter.write(image, header: header, to: outA, compression: compression, pixelType: .half, threads: threads)
                })
                sync()
                best.bWrite = min(best.bWrite, seconds {
                    check(exrshim_rgba_save(native, outB.path, Int32(compression.rawValue), Int32(threads), &message, message.count))
                })
                if compression == .none {
                    let outCore = folder.appendingPathComponent("b-core.exr")
                    try? FileManager.default.removeItem(at: outCore)
                    sync()
                    best.bCoreWrite = min(best.bCoreWrite, seconds {
                        check(exrshim_rgba_save_uncompressed_core(native, outCore.path, &message, message.count))
                    })
                }
                exrshim_rgba_free(native)
                best.c = min(best.c, try seconds { try runOiiotool(["--threads", String(threads), input.path, "-o", folder.appendingPathComponent("c.exr").path]) })
            }
            func ms(_ s: Double) -> String { String(format: "%.0f", s * 1000) }
            func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2f", a / b) }
            func floor(_ value: Double) -> String { value.isFinite ? ms(value) : "-" }
            func floorRatio(_ a: Double, _ value: Double) -> String { value.isFinite ? ratio(a, value) : "-" }
            print("| \(compression.name.uppercased()) | \(threads) | \(String(format: "%.1f", megabytes)) | \(ms(best.aRead)) | \(ms(best.aReused)) | \(ms(best.bRead)) | \(ratio(best.aRead, best.bRead)) | \(ratio(best.aReused, best.bRead)) | \(floor(best.bRawRead)) | \(floorRatio(best.aReused, best.bRawRead)) | \(ms(best.aWrite)) | \(ms(best.bWrite)) | \(ratio(best.aWrite, best.bWrite)) | \(floor(best.bCoreWrite)) | \(floorRatio(best.aWrite, best.bCoreWrite)) | \(ms(best.c)) | \(ratio(best.aReused + best.aWrite, best.c)) |")
        }
    }
}

private func runOiiotool(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/oiiotool")
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    if process.terminationStatus != 0 { fatalError("oiiotool \(arguments) failed") }
}
