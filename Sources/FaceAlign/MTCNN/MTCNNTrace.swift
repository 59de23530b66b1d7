/// What each MTCNN stage produced on one image, for the stage-by-stage comparison with
/// facenet-pytorch (scripts/mtcnn_parity.py writes the same record for upstream).
struct MTCNNTrace {
    struct Level {
        var height, width: Int
        /// P-Net cells with face probability >= the first threshold.
        var candidates: Int
        /// Those kept by the per-level NMS (IoU 0.5), highest score first.
        var kept: [MTCNNSteps.Candidate]
    }

    var scales: [Double] = []
    var levels: [Level] = []
    /// After the all-level NMS (0.7), regressed and squared: the boxes R-Net is given.
    var pnet: [FaceBox] = []
    /// After R-Net's threshold, NMS, regression and squaring: the boxes O-Net is given.
    var rnet: [FaceBox] = []
}
