import Foundation
import XCTest
@testable import Neural

final class ModelSearchPathTests: XCTestCase {
    func testEnvironmentFolderComesFirstAndMissingFileNamesEveryFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID())")
        let custom = root.appendingPathComponent("custom")
        let local = root.appendingPathComponent("work/models")
        for dir in [custom, local] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("taesd"), withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dir.appendingPathComponent("taesd/x.safetensors").path, contents: Data())
        }
        let path = ModelSearchPath.standard(environment: ["PLATESWAP_MODELS": custom.path],
                                            currentDirectory: root.appendingPathComponent("work"))
        XCTAssertEqual(try path.locate("taesd/x.safetensors").path, custom.appendingPathComponent("taesd/x.safetensors").path)
        let withoutEnv = ModelSearchPath.standard(environment: [:], currentDirectory: root.appendingPathComponent("work"))
        XCTAssertEqual(try withoutEnv.locate("taesd/x.safetensors").path, local.appendingPathComponent("taesd/x.safetensors").path)
        XCTAssertThrowsError(try path.locate("mtcnn/pnet.safetensors")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("mtcnn/pnet.safetensors"), text)
            XCTAssertTrue(text.contains(custom.path) && text.contains("shared/models"), text)
        }
    }
}
