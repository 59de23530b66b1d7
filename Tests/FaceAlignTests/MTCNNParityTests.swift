import Foundation
import XCTest
@testable import FaceAlign

/// Our MTCNN against facenet-pytorch 2.6.0 stage by stage, on real photos, footage frames at several
/// scales and crowded and 4K images composed from them (Fixtures/mtcnn_parity.json, written by
/// scripts/mtcnn_parity.py). Each case's image is an ffmpeg command over ../shared (`recipe`); both
/// sides decode with the same ffmpeg, and the pixels are checked against upstream's checksum first.
///
/// Per case: the pyramid (scales, level sizes) must be upstream's exactly; every face upstream finds
/// with p >= 0.9 must be found (one-to-one) with box IoU >= 0.9, all five points within 2% of the box
/// diagonal and the score within 0.02; no extra face with score >= 0.95. Stage counts are compared
/// too (P-Net candidates per level, boxes after P-Net and R-Net) and printed when they differ: the
/// networks' float sums differ from PyTorch's in the last bits, so a cell right at a threshold may
/// flip without changing any face.
///
/// Default: the crowded cases (also at 1920x1080) and a few photos; PLATESWAP_HEAVY=1: every case,
/// the two 4K frames included (their ~0.5 GB peak stays out of the shared test process by default).
/// PLATESWAP_MTCNN_TRACE=DIR writes our full per-stage trace per case (the layout of the script's
/// `--full DIR`), for diffing.
final class MTCNNParityTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mtcnn_parity.json")
    static let defaultCases: Set<String> = [
        "collage_640x360", "hamilton_f240_x3", "hamilton_f240", "dlib_2007_007763", "dlib_2008_002079",
        "deepface_selfie_many_people", "golden_kit_with_rose",
    ]

    struct Case: Decodable {
        struct Face: Decodable {
            var box: [Float]
            var prob: Float
            var points5: [[Float]]
        }
        var name: String
        var recipe: [String]
        var width: Int
        var height: Int
        var rgb_checksum: [Int]
        var scales: [Double]
        var levels: [[Int]]
        var pnet_count: Int
        var rnet_count: Int
        var faces: [Face]
    }

    static func cases() throws -> [Case] {
        struct File: Decodable { var cases: [Case] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: fixture)).cases
    }

    /// The case's rgb24 pixels from its ffmpeg recipe, checked against upstream's checksum.
    static func pixels(_ c: Case) throws -> [UInt8] {
        let args = c.recipe.map {
            $0.replacingOccurrences(of: "{data}", with: SharedData.url("data").path)
                .replacingOccurrences(of: "{golden}", with: SharedData.url("golden").path)
        }
        let bytes = try SharedData.ffmpegRGB24(arguments: args)
        XCTAssertEqual(bytes.count, c.width * c.height * 3, "\(c.name): size")
        XCTAssertEqual(checksum(bytes), c.rgb_checksum, "\(c.name): pixels differ from upstream's (another ffmpeg?)")
        return bytes
    }

    /// (sum of the bytes, sum of byte i * (i mod 65521 + 1)), as scripts/mtcnn_parity.py.
    static func checksum(_ bytes: [UInt8]) -> [Int] {
        var a = 0, b = 0
        for (i, v) in bytes.enumerated() {
            a += Int(v)
            b += Int(v) * (i % 65521 + 1)
        }
        return [a, b]
    }

    static func planar(_ bytes: [UInt8], _ w: Int, _ h: Int) -> [Float] {
        var rgb = [Float](repeating: 0, count: 3 * w * h)
        for i in 0..<(w * h) { for c in 0..<3 { rgb[c * w * h + i] = Float(bytes[3 * i + c]) } }
        return rgb
    }

    func testEveryUpstreamFaceIsFoundStageByStage() throws {
        let all = try Self.cases()
        let selected = SharedData.heavy ? all : all.filter { Self.defaultCases.contains($0.name) }
        XCTAssertEqual(Set(selected.map(\.name)).count, SharedData.heavy ? all.count : Self.defaultCases.count)
        let detector = MTCNNDetector(networks: try MTCNNNetworks(searchPath: EndToEndGoldenTests.searchPath))
        let traceDir = ProcessInfo.processInfo.environment["PLATESWAP_MTCNN_TRACE"]
        var strong = 0
        for c in selected {
            let rgb = Self.planar(try Self.pixels(c), c.width, c.height)
            var trace: MTCNNTrace? = MTCNNTrace()
            let found = detector.detect(rgb: rgb, width: c.width, height: c.height, timings: nil, trace: &trace)
            let t = try XCTUnwrap(trace)
            // The pyramid is pure arithmetic: exactly upstream's.
            XCTAssertEqual(t.scales, c.scales, "\(c.name): scales")
            XCTAssertEqual(t.levels.map { [$0.height, $0.width] }, c.levels.map { [$0[0], $0[1]] }, "\(c.name): level sizes")
            let ours = t.levels.map { [$0.candidates, $0.kept.count] }, theirs = c.levels.map { [$0[2], $0[3]] }
            if ours != theirs || t.pnet.count != c.pnet_count || t.rnet.count != c.rnet_count {
                print("\(c.name): stage counts differ: levels (candidates, kept) ours \(ours) upstream \(theirs); "
                    + "after P-Net \(t.pnet.count) vs \(c.pnet_count), after R-Net \(t.rnet.count) vs \(c.rnet_count)")
            }
            strong += try compare(c, found)
            if let dir = traceDir { try write(t, found, c, into: URL(fileURLWithPath: dir)) }
        }
        XCTAssertGreaterThan(strong, 0, "no face with p >= 0.9 was compared")
    }

    /// Checks the faces against upstream's; returns how many faces with p >= 0.9 were compared.
    func compare(_ c: Case, _ found: [DetectedFace]) throws -> Int {
        var used = Set<Int>(), compared = 0
        // Upstream's faces, most confident first, each matched to the best unused detection.
        for ref in c.faces.sorted(by: { $0.prob > $1.prob }) where ref.prob >= 0.9 {
            compared += 1
            let box = FaceBox(x1: ref.box[0], y1: ref.box[1], x2: ref.box[2], y2: ref.box[3])
            let match = found.indices.filter { !used.contains($0) }.max { found[$0].box.iou(box) < found[$1].box.iou(box) }
            guard let m = match, found[m].box.iou(box) >= 0.9 else {
                let best = found.map { $0.box.iou(box) }.max() ?? 0
                XCTFail("\(c.name): upstream face \(ref.box) p \(ref.prob) missing (best IoU \(best))")
                continue
            }
            used.insert(m)
            XCTAssertEqual(found[m].score, ref.prob, accuracy: 0.02, "\(c.name) \(ref.box): score")
            for (p, q) in zip(found[m].points5, ref.points5) {
                let d = ((p - SIMD2(q[0], q[1])) * (p - SIMD2(q[0], q[1]))).sum().squareRoot()
                XCTAssertLessThanOrEqual(d, 0.02 * box.diagonal, "\(c.name) \(ref.box): point off by \(d) px")
            }
        }
        let all = c.faces.map { FaceBox(x1: $0.box[0], y1: $0.box[1], x2: $0.box[2], y2: $0.box[3]) }
        for (i, f) in found.enumerated() where !used.contains(i) && f.score >= 0.95 {
            XCTAssertTrue(all.contains { $0.iou(f.box) >= 0.5 }, "\(c.name): extra face \(f.box) score \(f.score)")
        }
        return compared
    }

    /// Our trace in the layout of the script's `--full` files.
    func write(_ t: MTCNNTrace, _ faces: [DetectedFace], _ c: Case, into dir: URL) throws {
        func r(_ v: Float) -> Double { (Double(v) * 1e4).rounded() / 1e4 }
        func box(_ b: FaceBox) -> [Double] { b.array.map(r) }
        let levels: [[String: Any]] = t.levels.map { l in
            ["size": [l.height, l.width], "candidates": l.candidates,
             "kept": l.kept.map { c in box(c.box) + [r(c.score)] + [0, 1, 2, 3].map { r(c.regression[$0]) } }]
        }
        let doc: [String: Any] = [
            "name": c.name, "scales": t.scales, "levels": levels,
            "pnet": t.pnet.map(box), "rnet": t.rnet.map(box),
            "faces": faces.map { ["box": box($0.box), "prob": Double($0.score), "points5": $0.points5.map { [r($0.x), r($0.y)] }] },
        ]
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: doc).write(to: dir.appendingPathComponent("\(c.name).json"))
    }
}
