/// Leaky ReLU (slope 0.1 below zero, as in DeepFaceLab's models).
final class SwapLeakyReLU: SwapLayer {
    let slope: Float
    private var input: SwapTensor?

    init(slope: Float = 0.1) { self.slope = slope }

    var parameters: [SwapParameter] { [] }
    func cost(c: Int, h: Int, w: Int) -> (flops: Double, c: Int, h: Int, w: Int) { (Double(c * h * w), c, h, w) }

    func forward(_ x: SwapTensor) -> SwapTensor {
        input = x
        var y = x
        let s = slope
        for i in 0..<y.count where y.data[i] < 0 { y.data[i] *= s }
        return y
    }

    func backward(_ dy: SwapTensor) -> SwapTensor {
        guard let x = input else { preconditionFailure("SwapLeakyReLU.backward before forward") }
        var dx = dy
        let s = slope
        for i in 0..<dx.count where x.data[i] < 0 { dx.data[i] *= s }
        input = nil
        return dx
    }
}
