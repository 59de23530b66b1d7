import XCTest
import Neural
@testable import FaceAlign

/// Raw network checks against ../shared/golden/{mtcnn,facemesh}/<stem>.safetensors.
final class NetworkGoldenTests: XCTestCase {
    static let searchPath = ModelSearchPath(folders: [SharedData.url("models")])
    static let stems = ["obama", "two_people", "biden", "hamilton_0160", "kit_with_rose", "lin-manuel-miranda"]
    var stems: [String] { SharedData.heavy ? Self.stems : ["obama", "two_people"] }

    func golden(_ dir: String, _ stem: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(url: SharedData.url("golden/\(dir)/\(stem).safetensors"))
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ tol: Float, _ what: String) {
        XCTAssertEqual(a.shape, b.shape, what)
        XCTAssertLessThanOrEqual(a.maxAbsDifference(b), tol, what)
    }

    func testMTCNNNetworksMatchFacenetPytorch() throws {
        let nets = try MTCNNNetworks(searchPath: Self.searchPath)
        for stem in stems {
            let g = try golden("mtcnn", stem)
            let p = nets.pnet.forward(try g.tensor("pnet_in"))
            assertClose(p.reg, try g.tensor("pnet_reg"), 1e-4, "\(stem) pnet_reg")
            assertClose(p.prob, try g.tensor("pnet_prob"), 1e-4, "\(stem) pnet_prob")
            guard g.names.contains("rnet_in") else { continue }
            let r = nets.rnet.forward(try g.tensor("rnet_in"))
            assertClose(r.reg, try g.tensor("rnet_reg"), 1e-4, "\(stem) rnet_reg")
            assertClose(r.prob, try g.tensor("rnet_prob"), 1e-4, "\(stem) rnet_prob")
            guard g.names.contains("onet_in") else { continue }
            let o = nets.onet.forward(try g.tensor("onet_in"))
            assertClose(o.reg, try g.tensor("onet_reg"), 1e-4, "\(stem) onet_reg")
            assertClose(o.points, try g.tensor("onet_points"), 1e-4, "\(stem) onet_points")
            assertClose(o.prob, try g.tensor("onet_prob"), 1e-4, "\(stem) onet_prob")
        }
    }

    func testFaceLandmarkGraphMatchesTFLite() throws {
        let mesh = try FaceMeshLandmarker(searchPath: Self.searchPath)
        for stem in stems {
            let g = try golden("facemesh", stem)
            let (marks, logit) = mesh.run(input: try g.tensor("input_nhwc"))
            let want = try g.tensor("landmarks_192")
            let got = Tensor(shape: [468, 3], data: marks.flatMap { [$0.x, $0.y, $0.z] })
            assertClose(got, want, 0.02, "\(stem) landmarks_192")
            XCTAssertEqual(logit, try g.tensor("face_flag_logit").data[0], accuracy: 0.02, "\(stem) logit")
        }
    }

    func testUnsupportedGraphIsATypedErrorNamingTheFile() throws {
        // The attention model uses MediaPipe custom ops this interpreter does not run.
        XCTAssertThrowsError(try TFLiteGraph(modelPath: "mediapipe/face_landmark_with_attention", searchPath: Self.searchPath)) {
            XCTAssert("\($0)".contains("face_landmark_with_attention.graph.json"), "\($0)")
        }
    }
}
