import FaceAlign
import Foundation
import Imaging
import PlateIO
import Support
import XCTest
@testable import ShotPipeline

/// Issue 16, items 2 and 5 and the truncated movie, through the built binary on real plate frames
/// (copies of ../shared/data/plates/s18_piz): tracks.json is never reused for a plate or settings
/// it was not made from, stale temporaries of dead runs go while live ones stay, and a cut-short
/// movie's errors name the shot's frames. Every run leaves the plate's bytes as they were.
final class FaultInjectionTracksTests: FaultInjectionCase {
    // MARK: tracks that cannot go stale

    /// The issue's case: `plate.frames: 1001-1003` while only 1001 exists, then 1002-1003 appear.
    func testFramesMissingWhenTrackedAreTrackedAndSwappedOnceTheyExist() throws {
        try copyPlate(1001)
        try writeShot(plate: "{path: plates/plate.####.exr, frames: 1001-1003}")
        let first = try runShot()
        XCTAssertEqual(first.status, 0, "on_error: skip passes over missing frames, as told: \(first.stderr)")
        XCTAssertEqual(try report.done, [1001])
        XCTAssertEqual(try report.failed.map(\.frame), [1002, 1003], "missing frames fail, never 'no face'")
        XCTAssertEqual(try report.noFace, [])
        XCTAssertEqual(try tracks.version, 2)
        XCTAssertEqual(try tracks.source?.frames.map(\.tracked), [true, false, false])
        XCTAssertEqual(try tracks.source?.frames.map { $0.size == nil }, [false, true, true])

        try copyPlate(1002)
        try copyPlate(1003)
        let second = try runShot()
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("tracks.json is out of date: plate frames 1002-1003 missing at tracking time, on disk now; tracking the shot again"),
                      second.stderr)
        XCTAssertEqual(try report.done, [1001, 1002, 1003], "new tracks, new config hash: every frame is rendered again")
        XCTAssertEqual(try report.noFace, [])
        for frame in 1001...1003 { XCTAssertGreaterThan(try maskPeak(frame), 0.5, "frame \(frame) is swapped") }

        let third = try runShot()
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertFalse(third.stderr.contains("out of date"), "fresh tracks are reused: \(third.stderr)")
        XCTAssertEqual(try report.skipped, [1001, 1002, 1003])
    }

    /// Frames found on disk (no `plate.frames`): one added, then one replaced, then one touched;
    /// `track` reports fresh tracks as up to date and tracks again after the touch.
    func testAddedReplacedAndTouchedFramesAreTrackedAgain() throws {
        try copyPlate(1001)
        try writeShot()
        XCTAssertEqual(try runShot().status, 0)
        XCTAssertEqual(try report.done, [1001])

        try copyPlate(1002)
        let added = try runShot()
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stderr.contains("out of date: plate frame 1002 added to the shot"), added.stderr)
        XCTAssertEqual(try report.done, [1001, 1002])
        let before = try XCTUnwrap(try tracks.frames.first { $0.frame == 1002 }?.faces.first)

        try copyPlate(1002, from: 1020)
        let replaced = try runShot()
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        XCTAssertTrue(replaced.stderr.contains("out of date: plate frame 1002 replaced or modified"), replaced.stderr)
        let after = try XCTUnwrap(try tracks.frames.first { $0.frame == 1002 }?.faces.first)
        XCTAssertNotEqual(after.landmarks, before.landmarks, "frame 1002's face comes from the new pixels")
        XCTAssertEqual(try report.noFace, [])
        XCTAssertGreaterThan(try maskPeak(1002), 0.5)

        let fresh = try runShot(["track", "shot.yaml"])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertTrue(fresh.stderr.contains("is up to date with the plate and settings; nothing to do"), fresh.stderr)
        try fm.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)],
                             ofItemAtPath: dir.appendingPathComponent("plates/plate.1001.exr").path)
        let touched = try runShot(["track", "shot.yaml"])
        XCTAssertEqual(touched.status, 0, touched.stderr)
        XCTAssertTrue(touched.stderr.contains("out of date: plate frame 1001 replaced or modified"), touched.stderr)
        XCTAssertTrue(touched.stderr.contains("tracked 2 frame(s)"), touched.stderr)
    }

    /// A tracks.json from before `source` (version 1, here without any face) is tracked again with a
    /// line saying why; so is one made with other smoothing.
    func testOldTracksAndChangedSettingsAreTrackedAgain() throws {
        try copyPlate(1001)
        try writeShot()
        var old = buildTracks(detections: [(1001, [])], frameRate: 25, smoothing: OneEuroParameters())
        old.version = 1
        try old.encoded().write(to: dir.appendingPathComponent("tracks.json"))
        XCTAssertFalse(String(decoding: try old.encoded(), as: UTF8.self).contains("source"))
        let first = try runShot()
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("tracks.json is out of date: it does not record the plate frames and settings it was made from (tracks.json version 1, written by an older plateswap); tracking the shot again"),
                      first.stderr)
        XCTAssertEqual(try report.noFace, [], "the old file's empty frame is not reused")
        XCTAssertGreaterThan(try maskPeak(1001), 0.5)
        XCTAssertNotNil(try tracks.source)

        try writeShot(face: "{size: 128, smoothing: {beta: 0.2}}")
        let smoothing = try runShot()
        XCTAssertEqual(smoothing.status, 0, smoothing.stderr)
        XCTAssertTrue(smoothing.stderr.contains("out of date: tracking setting face.smoothing was min_cutoff 1.0, beta 0.05, now min_cutoff 1.0, beta 0.2"),
                      smoothing.stderr)
        XCTAssertEqual(try tracks.smoothing.beta, 0.2)
    }

    // MARK: temporaries

    /// A temporary's name as this host's `pid` would make it for `file` (`AtomicFile`'s naming).
    func temporaryName(for file: String, pid: pid_t, legacy: Bool = false) -> String {
        let own = AtomicFile.temporaryURL(beside: URL(fileURLWithPath: "/\(file)")).lastPathComponent
        let renamed = own.replacingOccurrences(of: ".tmp-\(getpid())-", with: ".tmp-\(pid)-")
        return legacy ? String(renamed[..<renamed.firstIndex(of: "@")!]) : renamed
    }

    func names(_ folder: String) throws -> Set<String> { Set(try fm.contentsOfDirectory(atPath: dir.appendingPathComponent(folder).path)) }

    /// `run`, `track` and `extract` remove their output folders' temporaries left by dead
    /// processes (frames they do not write again too) and keep those of live ones (the test's own
    /// PID) and anything in the plate folder.
    func testRunTrackAndExtractRemoveDeadRunsTemporariesOnly() throws {
        try copyPlate(1001)
        try writeShot()
        try fm.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        let dead = try deadPID(), live = getpid()
        let stale = [("out", temporaryName(for: "swap.1005.exr", pid: dead, legacy: true)),
                     ("out", temporaryName(for: "swap.1001.exr", pid: dead)),
                     ("out", temporaryName(for: "report.json", pid: dead))]
        let alive = [("out", temporaryName(for: "swap.1001.exr", pid: live, legacy: true)),
                     ("out", temporaryName(for: "swap.1006.exr", pid: live)),
                     ("", temporaryName(for: "tracks.json", pid: live)),
                     ("plates", temporaryName(for: "plate.1001.exr", pid: dead))]
        for (folder, name) in stale + alive { try Data("partial".utf8).write(to: dir.appendingPathComponent(folder).appendingPathComponent(name)) }

        let result = try runShot()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("removed 3 temporary file(s) left by killed runs"), result.stderr)
        for (folder, name) in stale { XCTAssertFalse(try names(folder).contains(name), "\(name) of dead PID \(dead) is removed") }
        for (folder, name) in alive { XCTAssertTrue(try names(folder).contains(name), "\(name) stays") }
        XCTAssertTrue(try names("out").contains("swap.1001.exr"))

        let tracksTemp = temporaryName(for: "tracks.json", pid: dead)
        try Data().write(to: dir.appendingPathComponent(tracksTemp))
        let track = try runShot(["track", "shot.yaml"])
        XCTAssertEqual(track.status, 0, track.stderr)
        XCTAssertFalse(try names("").contains(tracksTemp))
        XCTAssertTrue(try names("").contains(alive[2].1), "a live writer's tracks.json temporary stays")

        try fm.createDirectory(at: dir.appendingPathComponent("set/faces"), withIntermediateDirectories: true)
        let faceTemps = (dead: temporaryName(for: "000007.png", pid: dead), live: temporaryName(for: "000008.png", pid: live))
        for name in [faceTemps.dead, faceTemps.live] { try Data().write(to: dir.appendingPathComponent("set/faces/\(name)")) }
        let extract = try runShot(["extract", "plates/plate.####.exr", "--out", "set", "--size", "256"])
        XCTAssertEqual(extract.status, 0, extract.stderr)
        XCTAssertTrue(try names("set/faces").contains("000000.png"), "the plate's face is extracted")
        XCTAssertFalse(try names("set/faces").contains(faceTemps.dead))
        XCTAssertTrue(try names("set/faces").contains(faceTemps.live))
    }

    // MARK: truncated movie

    /// `movie` with `bytes` cut off the end of its media data: the index (moov, after the data)
    /// is kept, so the file opens but its last frames' data is gone.
    func truncate(_ movie: URL, by bytes: Int, to target: URL) throws {
        let data = try Data(contentsOf: movie)
        var atoms: [(type: String, range: Range<Int>)] = []
        var offset = 0
        while offset + 8 <= data.count {
            let size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
            XCTAssertGreaterThanOrEqual(size, 8, "64-bit atom sizes are not needed for these files")
            atoms.append((type, offset..<offset + size))
            offset += size
        }
        XCTAssertEqual(atoms.map(\.type).suffix(2), ["mdat", "moov"], "\(movie.lastPathComponent) keeps its index at the end")
        var out = Data()
        for atom in atoms {
            guard atom.type == "mdat" else { out += data[atom.range]; continue }
            let size = UInt32(atom.range.count - bytes)
            out += withUnsafeBytes(of: size.bigEndian) { Data($0) } + Data("mdat".utf8)
            out += data[(atom.range.lowerBound + 8)..<(atom.range.upperBound - bytes)]
        }
        try out.write(to: target)
    }

    /// Frame numbers a log mentions ("frame 1022", "frames 1001-1024" aside).
    func mentionedFrames(_ text: String) -> [Int] {
        let regex = try! NSRegularExpression(pattern: "frame (\\d+)")
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { Int((text as NSString).substring(with: $0.range(at: 1)))! }
    }

    /// A ProRes movie cut short (24 frames listed, 22 with data, the last of them damaged): the
    /// warning and every error name shot frames (first_frame-based) that exist, the lost frames
    /// stay in the shot and fail instead of vanishing, and no decoder frame number leaks out.
    func testTruncatedMovieErrorsNameTheShotsFrames() throws {
        try truncate(ExtractFixtures.data("plates/s18_prores422hq.mov"), by: 1_200_000, to: dir.appendingPathComponent("plates/cut.mov"))
        try writeShot(plate: "{path: plates/cut.mov, first_frame: 1001, frames: 1019-1024}")
        let result = try runShot()
        XCTAssertEqual(result.status, 0, "on_error: skip passes over unreadable frames: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("is cut short: its index lists 24 frames (1001-1024) but only 22 are in the file"), result.stderr)
        XCTAssertEqual(try report.done, [1019, 1020, 1021])
        XCTAssertEqual(try report.failed.map(\.frame), [1022, 1023, 1024])
        let failures = try report.failed
        XCTAssertTrue(failures[0].error.contains("cut.mov: this frame cannot be decoded (decode: "), failures[0].error)
        for failure in failures.dropFirst() {
            XCTAssertTrue(failure.error.contains("cut.mov is cut short: its data ends at frame 1022, though its index lists frames up to 1024"), failure.error)
        }
        for frame in 1022...1024 { XCTAssertTrue(result.stderr.contains("frame \(frame) skipped (on_error: skip): "), result.stderr) }
        let mentioned = mentionedFrames(result.stderr + failures.map(\.error).joined())
        XCTAssertFalse(mentioned.isEmpty)
        XCTAssertTrue(mentioned.allSatisfy { (1001...1024).contains($0) }, "only frames of the shot: \(Set(mentioned).sorted())")
        XCTAssertFalse(result.stderr.contains("returned frame"), result.stderr)
    }

    /// The same for H.264 with inter frames, read as a chunk that starts mid-movie (a seek).
    func testTruncatedH264ChunkErrorsNameTheShotsFrames() throws {
        try truncate(ExtractFixtures.data("footage/hamilton_short.mp4"), by: 40_000, to: dir.appendingPathComponent("plates/cut.mp4"))
        try writeShot(plate: "{path: plates/cut.mp4, first_frame: 1001, frames: 1240-1275}")
        let result = try runShot(["run", "shot.yaml", "--identity-swap", "--frames", "1250-1270"])
        XCTAssertEqual(result.status, 0, "on_error: skip passes over unreadable frames: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("is cut short: its index lists 275 frames (1001-1275) but only 263 are in the file"), result.stderr)
        let chunk = try RunReport.read(dir.appendingPathComponent("out/report.1250-1270.json"))
        XCTAssertEqual(chunk.done + chunk.failed.map(\.frame), Array(1250...1270))
        XCTAssertTrue(chunk.failed.map(\.frame).contains(1264), "a frame past the data fails")
        XCTAssertTrue(chunk.done.contains(1250), "frames before the cut are read")
        let mentioned = mentionedFrames(result.stderr + chunk.failed.map(\.error).joined())
        XCTAssertTrue(mentioned.allSatisfy { (1001...1275).contains($0) }, "only frames of the shot: \(Set(mentioned).sorted())")
        XCTAssertFalse(result.stderr.contains("returned frame"), result.stderr)
    }
}
