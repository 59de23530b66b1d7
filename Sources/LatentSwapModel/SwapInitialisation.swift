import Neural

/// PyTorch's default initialisation of a built network (`SwapModelConfig.Initialisation.pytorch`):
/// every conv and dense layer's weights and biases drawn again, uniform in +-1/sqrt(fan_in), in
/// forward order; ICNR layers draw one kernel per shuffled output channel and copy it, as before.
enum SwapInitialisation {
    static func redrawAsPyTorch(_ stage: SwapStage, random: inout SeededRandom) {
        switch stage {
        case let chain as SwapChain: chain.stages.forEach { redrawAsPyTorch($0, random: &random) }
        case let block as SwapResidualBlock: redrawAsPyTorch(block.body, random: &random)
        case let conv as SwapConv:
            let shape = conv.conv.weight.value.shape
            let bound = 1 / Float(shape.dropFirst().reduce(1, *)).squareRoot()
            let drawn = random.uniformTensor(conv.icnr ? [shape[0] / 4] + shape.dropFirst() : shape, -bound, bound)
            conv.conv.weight.value = conv.icnr ? SwapConv.icnr(drawn) : drawn
            conv.conv.bias?.value = random.uniformTensor([shape[0]], -bound, bound)
        case let dense as SwapDense:
            let shape = dense.linear.weight.value.shape
            let bound = 1 / Float(shape[1]).squareRoot()
            dense.linear.weight.value = random.uniformTensor(shape, -bound, bound)
            dense.linear.bias?.value = random.uniformTensor([shape[0]], -bound, bound)
        default: break
        }
    }
}
