// Suite `faces`: detection + landmarks per 1920x1080 and 3840x2160 frame (full pyramid, and with
// proxyLongSide 1920 skipping the finest levels), per stage; FaceMesh per face on a crowded photo,
// its ROI from BlazeFace vs from MTCNN; landmark jitter before/after One-Euro smoothing on a
// static-camera clip. Frames are decoded with the
// ffmpeg CLI (real footage from ../shared/data).
import FaceAlign
import Foundation
import Imaging

enum FaceBenchmark {
    static let shared = URL(fileURLWithPath: ProcessInfo.processInfo.environment["PLATESWAP_SHARED"] ?? "../shared")
        .appendingPathComponent("data")

    /// Decodes `count` frames of a file with ffmpeg (optionally scaled) into [0, 1] RGB buffers.
    static func frames(_ file: URL, width: Int, height: Int, count: Int, scale: Bool = false) throws -> [ImageBuffer] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["ffmpeg", "-v", "error", "-i", file.path, "-frames:v", "\(count)"]
        if scale { args += ["-vf", "scale=\(width):\(height):flags=lanczos"] }
        p.arguments = args + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let bytes = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
        p.waitUntilExit()
        let n = width * height
        return (0..<(bytes.count / (3 * n))).map { f in
            var planes = [[Float]](repeating: [Float](repeating: 0, count: n), count: 3)
            for i in 0..<n { for c in 0..<3 { planes[c][i] = Float(bytes[(f * n + i) * 3 + c]) / 255 } }
            return ImageBuffer(width: width, height: height, channels: ["R", "G", "B"], planes: planes)
        }
    }

    static func run() throws {
        let finder = try FaceFinder()
        var skipping = MTCNNDetector.Settings()
        skipping.proxyLongSide = 1920
        let fast = try FaceFinder(settings: skipping)
        print("faces: detection + landmarks per frame (plate s18 frame 1001 scaled up; ms, median of 3)")
        print("| frame | pyramid | faces | total | pyramid resize | P-Net | R-Net | O-Net | FaceMesh ROI | FaceMesh |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        let plate = shared.appendingPathComponent("plates/s18_png16/plate.1001.png")
        for (w, h, finder, label) in [(1920, 1080, finder, "full"), (3840, 2160, finder, "full"),
                                      (3840, 2160, fast, "proxyLongSide 1920")] {
            let image = try frames(plate, width: w, height: h, count: 1, scale: true)[0]
            var runs: [(Double, FaceFinder.Timings, Int)] = []
            for _ in 0..<3 {
                var t = FaceFinder.Timings()
                let start = Date()
                let faces = try finder.find(image, timings: &t)
                runs.append((Date().timeIntervalSince(start), t, faces.count))
            }
            let (total, t, count) = runs.sorted { $0.0 < $1.0 }[1]
            func ms(_ s: Double) -> String { String(format: "%.0f", s * 1000) }
            print("| \(w)x\(h) | \(label) | \(count) | \(ms(total)) | \(ms(t.detection.pyramid)) | \(ms(t.detection.pnet)) | "
                + "\(ms(t.detection.rnet)) | \(ms(t.detection.onet)) | \(ms(t.meshROI)) | \(ms(t.landmarks)) |")
        }
        try meshPerFace(finder)
        try jitter(finder)
    }

    /// FaceMesh per face on a crowded photo (faces/dlib/bald_guys.jpg, 24 MTCNN faces of 90-360 px):
    /// the ROI from MediaPipe's detector around each face (`detectorROI`, then one mesh pass) vs the
    /// ROI from MTCNN's box and points alone (`mtcnnLandmarks`: 1-3 passes, more for unsure meshes).
    static func meshPerFace(_ finder: FaceFinder) throws {
        let (w, h) = (1986, 1545)
        let image = try frames(shared.appendingPathComponent("faces/dlib/bald_guys.jpg"), width: w, height: h, count: 1)[0]
        let rgb = ["R", "G", "B"].flatMap { image[channel: $0].map { ($0 * 255).rounded() } }
        let faces = finder.detector.detect(rgb: rgb, width: w, height: h)
        let mesh = finder.landmarker
        func median(_ body: () -> Void) -> Double {
            (0..<3).map { _ in let start = Date(); body(); return Date().timeIntervalSince(start) }.sorted()[1]
        }
        let rois = faces.map { mesh.detectorROI(image, for: $0) }
        let detector = median { for f in faces { _ = mesh.detectorROI(image, for: f) } }
        let own = median { for (f, r) in zip(faces, rois) { _ = mesh.landmarks(image, face: f, detectorROI: r) } }
        let mtcnn = median { for f in faces { _ = mesh.mtcnnLandmarks(image, face: f) } }
        let n = Double(max(faces.count, 1))
        func ms(_ s: Double) -> String { String(format: "%.1f", s * 1000 / n) }
        print("faces: FaceMesh per face on faces/dlib/bald_guys.jpg (\(w)x\(h), \(faces.count) faces, "
            + "\(rois.compactMap { $0 }.count) with a BlazeFace ROI; ms per face, median of 3)")
        print("| FaceMesh ROI from | ROI | mesh | total |")
        print("|---|---|---|---|")
        print("| BlazeFace around the face (default) | \(ms(detector)) | \(ms(own)) | \(ms(detector + own)) |")
        print("| MTCNN box and points (fallback) | - | \(ms(mtcnn)) | \(ms(mtcnn)) |")
    }

    /// Frame-to-frame RMS landmark motion (px) and RMS second difference (px, the high-frequency
    /// part that reads as jitter) over a static-camera clip, raw vs smoothed.
    static func jitter(_ finder: FaceFinder) throws {
        let clip = shared.appendingPathComponent("footage/talking_d9.mp4")
        let frameCount = 90
        let images = try frames(clip, width: 512, height: 480, count: frameCount)
        var detections: [(frame: Int, faces: [DetectedFace])] = []
        for (i, image) in images.enumerated() {
            let faces = try finder.find(image)
            detections.append((i, faces.isEmpty ? [] : [faces[0]]))
        }
        let parameters = OneEuroParameters(minCutoff: 1.0, beta: 0.05)
        let doc = buildTracks(detections: detections, frameRate: 30, smoothing: parameters)
        let raw = detections.compactMap { $0.faces.first?.landmarks }
        let smooth = doc.frames.compactMap { $0.faces.first?.landmarks.map { SIMD3($0[0], $0[1], $0[2]) } }
        func rms(_ seq: [[SIMD3<Float>]], order: Int) -> Double {
            var sum = 0.0, n = 0.0
            for i in order..<seq.count {
                for k in 0..<seq[i].count {
                    let d = order == 1 ? seq[i][k] - seq[i - 1][k] : seq[i][k] - 2 * seq[i - 1][k] + seq[i - 2][k]
                    sum += Double(d.x * d.x + d.y * d.y)
                    n += 1
                }
            }
            return (sum / max(n, 1)).squareRoot()
        }
        print("faces: jitter on footage/talking_d9.mp4 (static camera, \(raw.count) of \(frameCount) frames with a face), "
            + "One-Euro min_cutoff 1.0 beta 0.05 forward-backward")
        print("| landmarks | RMS motion px/frame | RMS 2nd difference px |")
        print("|---|---|---|")
        print(String(format: "| raw | %.3f | %.3f |", rms(raw, order: 1), rms(raw, order: 2)))
        print(String(format: "| smoothed | %.3f | %.3f |", rms(smooth, order: 1), rms(smooth, order: 2)))
    }
}
