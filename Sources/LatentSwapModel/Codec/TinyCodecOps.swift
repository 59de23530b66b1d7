import Neural

/// The few operations of a TAESD-family pass. `TinyCodecNetwork` and `TinyCodecBlock` are written
/// once against them, so inference (`TensorOps`) and a loss on decoded pixels (`TapeOps`) run the
/// same definition of the network. The steps that update a value in place take it `inout`: on
/// tensors they reuse its memory (`CodecInPlace`), on the tape they record a new variable.
protocol TinyCodecOps {
    associatedtype Value
    func conv(_ layer: Conv2d, _ x: Value) -> Value
    func groupNorm(_ norm: GroupNorm, _ x: Value) -> Value
    func relu(_ x: inout Value)
    /// `x += other`, then ReLU when `relu` (the end of a TAESD block).
    func add(_ x: inout Value, _ other: Value, relu: Bool)
    func upsample(_ x: Value) -> Value
    /// taesd.py `Clamp`: `3 * tanh(x / 3)`.
    func softClamp(_ x: inout Value)
}

/// Inference on plain tensors, updated in place where the step allows.
struct TensorOps: TinyCodecOps {
    func conv(_ layer: Conv2d, _ x: Tensor) -> Tensor { layer.forward(x) }
    func groupNorm(_ norm: GroupNorm, _ x: Tensor) -> Tensor { norm.forward(x) }
    func relu(_ x: inout Tensor) { CodecInPlace.relu(&x) }
    func add(_ x: inout Tensor, _ other: Tensor, relu: Bool) { CodecInPlace.add(&x, other, relu: relu) }
    func upsample(_ x: Tensor) -> Tensor { upsampleNearest(x, scale: 2) }
    func softClamp(_ x: inout Tensor) { CodecInPlace.softClamp(&x) }
}

/// The same pass recorded on the input's tape. `gates` (tests only) fixes every ReLU's pattern.
struct TapeOps: TinyCodecOps {
    var gates: ReLUGates?

    func conv(_ layer: Conv2d, _ x: Var) -> Var { layer.forward(x) }
    func groupNorm(_ norm: GroupNorm, _ x: Var) -> Var { norm.forward(x) }
    func relu(_ x: inout Var) { x = gates?.apply(x) ?? Neural.relu(x) }

    func add(_ x: inout Var, _ other: Var, relu: Bool) {
        x = Neural.add(x, other)
        if relu { self.relu(&x) }
    }

    func upsample(_ x: Var) -> Var { upsampleNearest(x, scale: 2) }
    func softClamp(_ x: inout Var) { x = scale(tanh(scale(x, 1 / 3)), 3) }
}

/// Test hook for gradient checks: records every ReLU's on/off pattern, then replays it as fixed
/// 0/1 factors, which keeps the network in one linear piece (no kinks for finite differences).
final class ReLUGates {
    var replaying = false
    private var masks: [Tensor] = []
    private var cursor = 0

    func apply(_ x: Var) -> Var {
        if replaying {
            defer { cursor = (cursor + 1) % masks.count }
            return mul(x, constant(masks[cursor], on: x.tape))
        }
        masks.append(x.value.map { $0 > 0 ? 1 : 0 })
        return Neural.relu(x)
    }
}
