import ArgumentParser
import FaceAlign
import Imaging
import LatentSwapModel
import ShotPipeline

// Options whose values are one of an enum's cases: ArgumentParser lists the cases in --help and
// refuses any other value as a usage error (exit status 64).
extension CodecKind: ExpressibleByArgument {}
extension FaceType: ExpressibleByArgument {}
extension FarmJob.Chunking: ExpressibleByArgument {}
