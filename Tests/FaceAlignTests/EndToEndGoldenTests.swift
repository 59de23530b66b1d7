import XCTest
import Imaging
import Neural
@testable import FaceAlign

/// The pipeline against the golden per-image JSONs (../shared/golden/README.md, end-to-end checks).
final class EndToEndGoldenTests: XCTestCase {
    static let searchPath = ModelSearchPath(folders: [SharedData.url("models")])
    var stems: [String] { SharedData.heavy ? NetworkGoldenTests.stems : ["obama", "two_people"] }

    func testMTCNNDetectionMatchesFacenetPytorch() throws {
        let detector = MTCNNDetector(networks: try MTCNNNetworks(searchPath: Self.searchPath))
        for stem in stems {
            let image = try SharedData.goldenImage(stem)
            let rgb = ["R", "G", "B"].flatMap { image[channel: $0].map { ($0 * 255).rounded() } }
            let found = detector.detect(rgb: rgb, width: image.width, height: image.height)
            let refs = try XCTUnwrap(SharedData.goldenJSON(stem)["mtcnn_faces"] as? [[String: Any]])
            var used = Set<Int>()
            for ref in refs {
                let b = (ref["box_x1y1x2y2"] as! [Double]).map(Float.init)
                let box = FaceBox(x1: b[0], y1: b[1], x2: b[2], y2: b[3])
                let prob = Float(ref["prob"] as! Double)
                guard prob >= 0.9 else { continue }
                let match = found.indices.filter { !used.contains($0) }.max { found[$0].box.iou(box) < found[$1].box.iou(box) }
                guard let m = match, found[m].box.iou(box) >= 0.9 else {
                    XCTFail("\(stem): no detection with IoU >= 0.9 for reference box \(b)")
                    continue
                }
                used.insert(m)
                XCTAssertEqual(found[m].score, prob, accuracy: 0.02, "\(stem) prob")
                let pts = (ref["points5_xy"] as! [[Double]]).map { SIMD2(Float($0[0]), Float($0[1])) }
                for (p, q) in zip(found[m].points5, pts) {
                    XCTAssertLessThanOrEqual(((p - q) * (p - q)).sum().squareRoot(), 0.02 * box.diagonal, "\(stem) points")
                }
            }
            for (i, f) in found.enumerated() where !used.contains(i) {
                XCTAssertLessThan(f.score, 0.95, "\(stem): extra detection \(f.box)")
            }
            // Largest box first, like select_largest.
            XCTAssertEqual(found.map(\.box.area), found.map(\.box.area).sorted(by: >))
        }
    }

    func testFaceMeshOnTheStoredROIMatchesMediaPipe() throws {
        let mesh = try FaceMeshLandmarker(searchPath: Self.searchPath)
        for stem in stems {
            let image = try SharedData.goldenImage(stem)
            let json = try SharedData.goldenJSON(stem)
            let meshes = try XCTUnwrap(json["mediapipe_facemesh"] as? [[[Double]]])
            let rois = try XCTUnwrap(json["mediapipe_facemesh_faces"] as? [[String: Any]])
            var checked = 0
            for entry in rois {
                guard let index = entry["mesh_index"] as? Int, let r = entry["roi_px"] as? [String: Double] else { continue }
                let roi = FaceROI(cx: r["cx"]!, cy: r["cy"]!, side: r["side"]!, rotation: r["rotation_rad"]!)
                let got = mesh.landmarks(image, roi: roi)
                var worst: Float = 0
                for (p, q) in zip(got.landmarks, meshes[index]) {
                    worst = max(worst, abs(p.x - Float(q[0])), abs(p.y - Float(q[1])))
                }
                XCTAssertLessThanOrEqual(worst, 0.5, "\(stem) face \(index): max deviation \(worst) px")
                XCTAssertGreaterThanOrEqual(got.presence, 0.5)
                checked += 1
            }
            XCTAssertGreaterThan(checked, 0, stem)
        }
    }

    func testFaceMeshThroughOwnDetectorIsWithinFivePercentOfInterocular() throws {
        let finder = try FaceFinder(searchPath: Self.searchPath)
        for stem in stems {
            let image = try SharedData.goldenImage(stem)
            let faces = try finder.find(image)
            let meshes = try XCTUnwrap(SharedData.goldenJSON(stem)["mediapipe_facemesh"] as? [[[Double]]])
            for (k, ref) in meshes.enumerated() {
                let refPts = ref.map { SIMD2(Float($0[0]), Float($0[1])) }
                let iod = ((refPts[33] - refPts[263]) * (refPts[33] - refPts[263])).sum().squareRoot()
                func meanDistance(_ f: DetectedFace) -> Float {
                    zip(f.landmarks, refPts).reduce(Float(0)) { s, pq in
                        let d = SIMD2(pq.0.x, pq.0.y) - pq.1
                        return s + (d * d).sum().squareRoot()
                    } / Float(refPts.count)
                }
                guard let best = faces.min(by: { meanDistance($0) < meanDistance($1) }) else {
                    XCTFail("\(stem): no face found for mesh \(k)")
                    continue
                }
                XCTAssertLessThanOrEqual(meanDistance(best), 0.05 * iod, "\(stem) mesh \(k): \(meanDistance(best)) px vs iod \(iod)")
            }
        }
    }
}

extension EndToEndGoldenTests {
    /// With `proxyLongSide` a large frame skips the finest pyramid levels, but the levels kept and the
    /// R-/O-Net crops come from the full frame: the faces it still searches come out exactly as in
    /// the full pass.
    func testProxyLongSideSkipsFineLevelsAndKeepsFullResolutionBoxes() throws {
        let image = try SharedData.goldenImage("obama")
        let rgb = ["R", "G", "B"].flatMap { image[channel: $0].map { ($0 * 255).rounded() } }
        let nets = try MTCNNNetworks(searchPath: Self.searchPath)
        let full = MTCNNDetector(networks: nets)
        var settings = MTCNNDetector.Settings()
        settings.proxyLongSide = 500
        let proxy = MTCNNDetector(networks: nets, settings: settings)
        // 1137 / 500 = 2.27 = 0.709^-2.4: two levels (faces of 20-40 px) are skipped.
        let all = full.searchedScales(width: image.width, height: image.height)
        XCTAssertEqual(proxy.searchedScales(width: image.width, height: image.height), Array(all.dropFirst(2)))
        let a = try XCTUnwrap(full.detect(rgb: rgb, width: image.width, height: image.height).first)
        let b = try XCTUnwrap(proxy.detect(rgb: rgb, width: image.width, height: image.height).first)
        XCTAssertEqual(a.box, b.box)
        XCTAssertEqual(a.score, b.score)
        XCTAssertEqual(a.points5, b.points5)
    }
}

extension EndToEndGoldenTests {
    /// P-Net in horizontal strips (how large levels run) gives the single pass's outputs.
    func testPNetStripsGiveTheSinglePassOutputs() throws {
        let image = try SharedData.goldenImage("obama")
        let rgb = ["R", "G", "B"].flatMap { image[channel: $0].map { ($0 * 255).rounded() } }
        let detector = MTCNNDetector(networks: try MTCNNNetworks(searchPath: Self.searchPath))
        let (lh, lw) = MTCNNSteps.levelSize(width: image.width, height: image.height, scale: 0.3)
        let level = try XCTUnwrap(SummedAreaPyramid(rgb: rgb, width: image.width, height: image.height)).level(outWidth: lw, outHeight: lh)
        let one = detector.pnetLevel(level, width: lw, height: lh, stripPixels: .max / 4)
        let strips = detector.pnetLevel(level, width: lw, height: lh, stripPixels: 6_000)  // 10-row strips
        XCTAssertEqual(strips.rows, one.rows)
        XCTAssertEqual(strips.cols, one.cols)
        XCTAssertEqual(strips.prob.count, one.prob.count)
        XCTAssertEqual(strips.reg.count, one.reg.count)
        let worst = max(zip(strips.prob, one.prob).map { abs($0 - $1) }.max() ?? 1, zip(strips.reg, one.reg).map { abs($0 - $1) }.max() ?? 1)
        XCTAssertLessThan(worst, 1e-5)
    }
}
