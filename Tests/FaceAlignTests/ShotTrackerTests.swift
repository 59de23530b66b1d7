import Foundation
import XCTest
@testable import FaceAlign

/// FaceAlign tracks a shot in one call (`ShotTracker.track`): the caller gives pixels and file
/// paths, and gets smoothed tracks with the state of every frame's file.
final class ShotTrackerTests: XCTestCase {
    func testTracksAShotMarkingUnreadFramesAndShiftingToPlatePixels() throws {
        let image = try SharedData.goldenImage("obama")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shottracker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for frame in [1, 3] { try Data(repeating: 7, count: 10 * frame).write(to: folder.appendingPathComponent("\(frame).bin")) }
        struct Unreadable: Error {}
        let tracker = ShotTracker(finder: try FaceFinder(searchPath: EndToEndGoldenTests.searchPath), smoothing: OneEuroParameters())
        var unread: [Int] = [], seen: [Int] = []
        let origin = SIMD2<Float>(100, 50)
        let document = try tracker.track(
            frames: [1, 2, 3], frameRate: 24, plate: "plate.#.bin", settings: ["face.smoothing": "x"],
            file: { folder.appendingPathComponent("\($0).bin").path },
            read: { frame in
                guard frame != 2 else { throw Unreadable() }
                return .init(image: image, origin: origin)
            },
            unreadable: { frame, error in
                XCTAssertTrue(error is Unreadable)
                unread.append(frame)
            },
            after: { state, _ in seen.append(state.frame) })
        XCTAssertEqual(unread, [2])
        XCTAssertEqual(seen, [1, 2, 3])
        let source = try XCTUnwrap(document.source)
        XCTAssertEqual(source.plate, "plate.#.bin")
        XCTAssertEqual(source.settings, ["face.smoothing": "x"])
        XCTAssertEqual(source.frames.map(\.tracked), [true, false, true], "an unreadable frame is never 'no face'")
        XCTAssertEqual(source.frames.map(\.size), [10, nil, 30], "frame 2's file does not exist")
        XCTAssertEqual(document.unreadFrames, [2])
        // The face found in frame-buffer pixels is stored in plate pixels (shifted by the origin).
        let alone = try tracker.finder.find(image)
        let stored = try XCTUnwrap(document.frames.first { $0.frame == 1 }?.faces.first)
        XCTAssertEqual(stored.box[0], alone[0].box.x1 + origin.x, accuracy: 2)
        XCTAssertEqual(stored.box[1], alone[0].box.y1 + origin.y, accuracy: 2)
        let selected = try XCTUnwrap(document.selectedFace(frame: 3, selection: .largest, minSize: 0))
        XCTAssertEqual(selected.track, stored.track, "one track across the unread frame")
        XCTAssertNil(document.selectedFace(frame: 3, selection: .largest, minSize: 100_000), "min_size filters")

        // A stop before a frame returns nothing: smoothing needs the whole shot.
        struct Stop: Error {}
        XCTAssertThrowsError(try tracker.track(frames: [1, 2], frameRate: 24, plate: "p", settings: [:],
                                               file: { _ in "/nonexistent" }, read: { _ in .init(image: image, origin: .zero) },
                                               before: { frame, done in if frame == 2 { XCTAssertEqual(done, 1); throw Stop() } })) {
            XCTAssertTrue($0 is Stop)
        }
    }
}
