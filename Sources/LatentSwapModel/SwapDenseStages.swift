import Foundation
import Neural

/// Fully connected layer on flattened features [N, F] -> [N, out] (DeepFaceLab's `Dense`), Glorot
/// uniform weights as DFL's leras initialises them; weights named `NAME.weight/bias`.
final class SwapDense: SwapStage {
    let linear: Linear

    init(_ name: String, in features: Int, out: Int, random: inout SeededRandom) {
        linear = Linear(weight: Init.xavierUniform([out, features], rng: &random), bias: .zeros([out]))
        linear.weight.name = name + ".weight"
        linear.bias?.name = name + ".bias"
    }

    var parameters: [Parameter] { [linear.weight] + (linear.bias.map { [$0] } ?? []) }
    func forward(_ x: Tensor) -> Tensor { linear.forward(x) }
    func forward(_ x: Var) -> Var { linear.forward(x) }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) {
        let (inF, outF) = (linear.weight.value.shape[1], linear.weight.value.shape[0])
        return (2 * Double(inF * outF), SwapShape(c: outF, h: 1, w: 1))
    }
}

/// [N, C, H, W] -> [N, C*H*W] (shape bookkeeping only; the values keep their order).
final class SwapFlatten: SwapStage {
    var parameters: [Parameter] { [] }
    func forward(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0], -1]) }
    func forward(_ x: Var) -> Var { reshape(x, [x.shape[0], x.value.count / x.shape[0]]) }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) { (0, SwapShape(c: s.c * s.h * s.w, h: 1, w: 1)) }
}

/// [N, C*H*W] -> [N, C, H, W] (DFL's `reshape_4D`, in NCHW order).
final class SwapUnflatten: SwapStage {
    let channels: Int, side: Int
    init(channels: Int, side: Int) { (self.channels, self.side) = (channels, side) }
    var parameters: [Parameter] { [] }
    func forward(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0], channels, side, side]) }
    func forward(_ x: Var) -> Var { reshape(x, [x.shape[0], channels, side, side]) }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) { (0, SwapShape(c: channels, h: side, w: side)) }
}

/// Logistic sigmoid (the mask heads' output).
final class SwapSigmoid: SwapStage {
    var parameters: [Parameter] { [] }
    func forward(_ x: Tensor) -> Tensor { sigmoid(x) }
    func forward(_ x: Var) -> Var { sigmoid(x) }
    func cost(_ s: SwapShape) -> (flops: Double, out: SwapShape) { (4 * Double(s.c * s.h * s.w), s) }
}
