import ArgumentParser
import ShotPipeline

/// The shot.yaml argument and `--frames` of the commands that work on a shot's frames (`run`,
/// `quality`, `preview`): one definition, so they read and check them alike.
struct ShotSelection: ParsableArguments {
    @Argument(help: "The shot.yaml file.")
    var shot: String

    @Option(name: .long, help: "Only these frames (e.g. a farm chunk): 1001-1024, 1001-1096x2 or 1001,1005.")
    var frames: String?

    /// The validated shot.yaml (exit 2 when it is not).
    func loadShot() throws -> ShotConfig { try ShotCommandInput.loadShot(shot) }

    /// `--frames` as frame numbers; nil: the whole shot.
    func frameList() throws -> [Int]? { try frames.map(ShotCommandInput.frames) }
}
