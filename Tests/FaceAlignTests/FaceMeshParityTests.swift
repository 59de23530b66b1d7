import Foundation
import Imaging
import XCTest
@testable import FaceAlign

/// The whole face finder (MTCNN + FaceMesh) on the crowded and 4K parity images against MediaPipe's
/// FaceMesh (Fixtures/facemesh_reference.json, scripts/facemesh_reference.py): every face upstream
/// MTCNN finds with p >= 0.9 and MediaPipe meshes must come out of `FaceFinder.find` (not be dropped
/// for a low mesh presence), with its 468 points on average within 5% of the inter-ocular distance
/// (outer eye corners 33 and 263) of MediaPipe's. The reference ran MediaPipe on a crop around each
/// face; ours takes its ROI from the same short-range detector on the same crop (`detectorROI`).
/// Default: the crowded collage and the group selfie;
/// PLATESWAP_HEAVY=1: every case of the fixture, the 4K frames included.
final class FaceMeshParityTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/facemesh_reference.json")

    struct Reference: Decodable {
        struct Face: Decodable {
            var box: [Float]
            var origin: [Int]
            var mesh_tenths: [Int]
            var mesh: [SIMD2<Float>] {
                stride(from: 0, to: mesh_tenths.count, by: 2).map {
                    SIMD2(Float(origin[0]) + Float(mesh_tenths[$0]) / 10, Float(origin[1]) + Float(mesh_tenths[$0 + 1]) / 10)
                }
            }
        }
        var name: String
        var faces: [Face]
    }

    func testMeshOfEveryUpstreamFaceIsWithinFivePercentOfMediaPipe() throws {
        struct File: Decodable { var cases: [Reference] }
        let refs = try JSONDecoder().decode(File.self, from: Data(contentsOf: Self.fixture)).cases
        let parity = Dictionary(uniqueKeysWithValues: try MTCNNParityTests.cases().map { ($0.name, $0) })
        let selected = SharedData.heavy ? refs : refs.filter { ["collage_640x360", "deepface_selfie_many_people"].contains($0.name) }
        let finder = try FaceFinder(searchPath: EndToEndGoldenTests.searchPath)
        var checked = 0
        for ref in selected {
            let c = try XCTUnwrap(parity[ref.name])
            let bytes = try MTCNNParityTests.pixels(c)
            let n = c.width * c.height
            var planes = [[Float]](repeating: [Float](repeating: 0, count: n), count: 3)
            for i in 0..<n { for k in 0..<3 { planes[k][i] = Float(bytes[3 * i + k]) / 255 } }
            let faces = try finder.find(ImageBuffer(width: c.width, height: c.height, channels: ["R", "G", "B"], planes: planes))
            for face in ref.faces {
                let box = FaceBox(x1: face.box[0], y1: face.box[1], x2: face.box[2], y2: face.box[3])
                guard let ours = faces.max(by: { $0.box.iou(box) < $1.box.iou(box) }), ours.box.iou(box) >= 0.9 else {
                    XCTFail("\(ref.name): face \(face.box) missing from FaceFinder's faces \(faces.map(\.box))")
                    continue
                }
                let mesh = face.mesh
                XCTAssertEqual(mesh.count, 468)
                let d = mesh[33] - mesh[263], iod = (d * d).sum().squareRoot()
                let mean = zip(ours.landmarks, mesh).reduce(Float(0)) { s, pq in
                    let e = SIMD2(pq.0.x, pq.0.y) - pq.1
                    return s + (e * e).sum().squareRoot()
                } / Float(mesh.count)
                let key = "\(ref.name) \(Int(face.box[0])),\(Int(face.box[1]))"
                XCTAssertLessThanOrEqual(mean, 0.05 * iod,
                                         "\(key): mesh off by \(mean) px (iod \(iod), presence \(ours.presence))")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }
}
