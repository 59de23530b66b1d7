import Neural

/// taesd.py `Block(n, n)`: `out = ReLU(conv(x) + x)` with `conv` = [conv3x3, ReLU, conv3x3, ReLU,
/// conv3x3] (keys `conv.0`, `conv.2`, `conv.4`). TAEF2's mid blocks first add a `pool` branch,
/// [conv1x1 n->4n no bias, GroupNorm(4 groups), ReLU, conv1x1 4n->n no bias] (keys `pool.0`,
/// `pool.1`, `pool.3`): `x = x + pool(x)`.
struct TinyCodecBlock {
    let convs: [Conv2d]
    let pool: (expand: Conv2d, norm: GroupNorm, reduce: Conv2d)?

    init(_ weights: CodecWeights, prefix: String, width n: Int) throws {
        convs = try [0, 2, 4].map { i in
            Conv2d(weight: try weights.take("\(prefix).conv.\(i).weight", [n, n, 3, 3]),
                   bias: try weights.take("\(prefix).conv.\(i).bias", [n]), stride: 1, padding: 1)
        }
        if weights.contains("\(prefix).pool.0.weight") {
            pool = (Conv2d(weight: try weights.take("\(prefix).pool.0.weight", [4 * n, n, 1, 1]), bias: nil, stride: 1, padding: 0),
                    GroupNorm(groups: 4, eps: 1e-5, weight: try weights.take("\(prefix).pool.1.weight", [4 * n]),
                              bias: try weights.take("\(prefix).pool.1.bias", [4 * n])),
                    Conv2d(weight: try weights.take("\(prefix).pool.3.weight", [n, 4 * n, 1, 1]), bias: nil, stride: 1, padding: 0))
        } else {
            pool = nil
        }
    }

    /// The block's one definition, on tensors or on a tape (`TinyCodecOps`).
    func forward<Ops: TinyCodecOps>(_ input: Ops.Value, _ ops: Ops) -> Ops.Value {
        var x = input
        if let pool {
            var expanded = ops.groupNorm(pool.norm, ops.conv(pool.expand, input))
            ops.relu(&expanded)
            x = ops.conv(pool.reduce, expanded)
            ops.add(&x, input, relu: false)
        }
        var h = ops.conv(convs[0], x)
        ops.relu(&h)
        h = ops.conv(convs[1], h)
        ops.relu(&h)
        h = ops.conv(convs[2], h)
        ops.add(&h, x, relu: true)
        return h
    }
}
