import XCTest
@testable import FaceAlign

final class TrackingTests: XCTestCase {
    func face(_ x: Float, _ y: Float, _ size: Float = 100) -> DetectedFace {
        let box = FaceBox(x1: x, y1: y, x2: x + size, y2: y + size)
        let pts: [SIMD2<Float>] = [[0.3, 0.4], [0.7, 0.4], [0.5, 0.6], [0.35, 0.8], [0.65, 0.8]].map { SIMD2(x, y) + $0 * size }
        return DetectedFace(box: box, score: 0.99, points5: pts)
    }

    func testOneEuroPassesConstantsAndDampsNoise() {
        var f = OneEuroFilter(OneEuroParameters(minCutoff: 1, beta: 0))
        for i in 0..<10 { XCTAssertEqual(f.filter(5, at: Double(i) / 30), 5) }
        // Static point + noise: the smoothed RMS frame-to-frame motion is far smaller.
        var rng = SystemRandomNumberGenerator()
        let noisy = (0..<120).map { _ in [Double.random(in: -1...1, using: &rng)] }
        let times = (0..<120).map { Double($0) / 30 }
        let smooth = smoothForwardBackward(noisy, times: times, parameters: OneEuroParameters(minCutoff: 1, beta: 0.05))
        func jitter(_ s: [[Double]]) -> Double {
            (zip(s.dropFirst(), s).reduce(0) { $0 + pow($1.0[0] - $1.1[0], 2) } / Double(s.count - 1)).squareRoot()
        }
        XCTAssertLessThan(jitter(smooth), jitter(noisy) * 0.25)
    }

    func testForwardBackwardHasNoLagOnARamp() {
        // A causal filter trails a ramp; forward-backward is centred on it (away from the ends).
        let times = (0..<90).map { Double($0) / 30 }
        let ramp = times.map { [100 * $0] }
        let p = OneEuroParameters(minCutoff: 0.5, beta: 0)
        var causal = OneEuroFilter(p)
        let forward = zip(ramp, times).map { causal.filter($0.0[0], at: $0.1) }
        let both = smoothForwardBackward(ramp, times: times, parameters: p)
        XCTAssertGreaterThan(ramp[45][0] - forward[45], 10)
        XCTAssertLessThan(abs(ramp[45][0] - both[45][0]), 0.5)
    }

    func testTracksKeepIdsThroughCrossingOrderAndShortMisses() {
        var tracker = FaceTracker()
        // Two faces moving right; the detector lists them in either order.
        let a0 = tracker.update(frame: 0, faces: [face(0, 0), face(400, 0)])
        XCTAssertEqual(a0, [0, 1])
        let a1 = tracker.update(frame: 1, faces: [face(410, 2), face(8, 1)])
        XCTAssertEqual(a1, [1, 0])
        // Face 0 missed on frames 2 and 3, back on 4: same id. Face 1 keeps going.
        XCTAssertEqual(tracker.update(frame: 2, faces: [face(420, 3)]), [1])
        XCTAssertEqual(tracker.update(frame: 3, faces: [face(430, 3)]), [1])
        XCTAssertEqual(tracker.update(frame: 4, faces: [face(20, 2), face(440, 3)]), [0, 1])
        // Face 1 gone for 3 frames: its track ended, so it comes back as a new id.
        for f in 5...7 { XCTAssertEqual(tracker.update(frame: f, faces: [face(20, 2)]), [0]) }
        XCTAssertEqual(tracker.update(frame: 8, faces: [face(20, 2), face(440, 3)]), [0, 2])
    }

    func testTracksDocumentInterpolatesMissesAndRoundTrips() throws {
        var mesh0 = [SIMD3<Float>](repeating: .zero, count: 468)
        for i in 0..<468 { mesh0[i] = SIMD3(Float(i % 20) * 5, Float(i / 20) * 5, 0) }
        func meshFace(_ dx: Float) -> DetectedFace {
            var f = face(dx, 0)
            f.landmarks = mesh0.map { $0 + SIMD3(dx, 0, 0) }
            f.presence = 0.9
            return f
        }
        let detections: [(frame: Int, faces: [DetectedFace])] = [
            (1001, [meshFace(0)]), (1002, []), (1003, [meshFace(4)]), (1004, [meshFace(6)]),
        ]
        let doc = buildTracks(detections: detections, frameRate: 30, smoothing: OneEuroParameters())
        XCTAssertEqual(doc.frames.map(\.frame), [1001, 1002, 1003, 1004])
        XCTAssertEqual(doc.tracks, [TracksDocument.Track(id: 0, firstFrame: 1001, lastFrame: 1004, detections: 3)])
        let filled = try XCTUnwrap(doc.face(frame: 1002, track: 0))
        XCTAssertTrue(filled.interpolated)
        XCTAssertEqual(filled.box[0], 2, accuracy: 1e-5)
        XCTAssertEqual(filled.landmarks.count, 468)
        XCTAssertFalse(try XCTUnwrap(doc.face(frame: 1003, track: 0)).interpolated)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tracks-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try doc.encoded().write(to: url)
        XCTAssertEqual(try TracksDocument.read(from: url), doc)
        // A corrupt file is a typed error naming the file.
        try Data("{\"version\": 1".utf8).write(to: url)
        XCTAssertThrowsError(try TracksDocument.read(from: url)) { XCTAssert("\($0)".contains(url.lastPathComponent)) }
    }

    func testTargetSelection() throws {
        let faces = [face(0, 0, 50), face(200, 0, 120), face(400, 0, 80)]
        XCTAssertEqual(FaceSelection.largest.select(faces), 1)
        XCTAssertEqual(try FaceSelection(parsing: "track:7").select(faces, trackIDs: [3, 7, 9]), 1)
        XCTAssertNil(FaceSelection.track(4).select(faces, trackIDs: [3, 7, 9]))
        XCTAssertEqual(try FaceSelection(parsing: "point:[430, 40]").select(faces), 2)
        XCTAssertEqual(try FaceSelection(parsing: "point:60,20").select(faces), 0)
        XCTAssertNil(FaceSelection.largest.select([]))
        XCTAssertThrowsError(try FaceSelection(parsing: "biggest"))
        XCTAssertThrowsError(try FaceSelection(parsing: "point:[1]"))
    }
}
