import Foundation
import Neural

/// A conv layer followed by a per-channel PReLU, the building block of all three MTCNN nets.
struct ConvPReLU {
    let conv: Conv2d
    let prelu: PReLU

    init(_ file: SafeTensorsFile, conv name: String, prelu preluName: String) throws {
        conv = Conv2d(weight: try file.tensor("\(name).weight"), bias: try file.tensor("\(name).bias"), padding: 0)
        prelu = PReLU(alpha: try file.tensor("\(preluName).weight"))
    }

    func forward(_ x: Tensor) -> Tensor { prelu.forward(conv.forward(x)) }
}

func loadLinear(_ file: SafeTensorsFile, _ name: String) throws -> Linear {
    Linear(weight: try file.tensor("\(name).weight"), bias: try file.tensor("\(name).bias"))
}

/// Flattens [N, C, H, W] in N, W, H, C order (upstream's permute(0, 3, 2, 1) before the dense
/// layers: the trace of the Caffe model's column-major images).
func flattenWHC(_ x: Tensor) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var out = [Float](repeating: 0, count: x.count)
    for b in 0..<n {
        for ci in 0..<c {
            for yi in 0..<h {
                for xi in 0..<w {
                    out[b * c * h * w + (xi * h + yi) * c + ci] = x.data[((b * c + ci) * h + yi) * w + xi]
                }
            }
        }
    }
    return Tensor(shape: [n, c * h * w], data: out)
}

/// P-Net: fully convolutional proposal net (12 px window, stride 2).
public struct PNet {
    let c1, c2, c3: ConvPReLU
    let probHead, regHead: Conv2d

    public init(file: SafeTensorsFile) throws {
        c1 = try ConvPReLU(file, conv: "conv1", prelu: "prelu1")
        c2 = try ConvPReLU(file, conv: "conv2", prelu: "prelu2")
        c3 = try ConvPReLU(file, conv: "conv3", prelu: "prelu3")
        probHead = Conv2d(weight: try file.tensor("conv4_1.weight"), bias: try file.tensor("conv4_1.bias"), padding: 0)
        regHead = Conv2d(weight: try file.tensor("conv4_2.weight"), bias: try file.tensor("conv4_2.bias"), padding: 0)
    }

    /// x: [N, 3, H, W] normalised; returns (reg [N, 4, h, w], prob [N, 2, h, w] softmax over channels).
    public func forward(_ x: Tensor) -> (reg: Tensor, prob: Tensor) {
        var y = c1.forward(x)
        y = maxPool2d(y, kernel: 2, stride: 2, ceilMode: true)
        y = c3.forward(c2.forward(y))
        return (regHead.forward(y), softmax(probHead.forward(y), axis: 1))
    }
}

/// R-Net: refines 24x24 crops.
public struct RNet {
    let c1, c2, c3: ConvPReLU
    let dense4: Linear, prelu4: PReLU
    let probHead, regHead: Linear

    public init(file: SafeTensorsFile) throws {
        c1 = try ConvPReLU(file, conv: "conv1", prelu: "prelu1")
        c2 = try ConvPReLU(file, conv: "conv2", prelu: "prelu2")
        c3 = try ConvPReLU(file, conv: "conv3", prelu: "prelu3")
        dense4 = try loadLinear(file, "dense4")
        prelu4 = PReLU(alpha: try file.tensor("prelu4.weight"))
        probHead = try loadLinear(file, "dense5_1")
        regHead = try loadLinear(file, "dense5_2")
    }

    /// x: [N, 3, 24, 24]; returns (reg [N, 4], prob [N, 2]).
    public func forward(_ x: Tensor) -> (reg: Tensor, prob: Tensor) {
        var y = maxPool2d(c1.forward(x), kernel: 3, stride: 2, ceilMode: true)
        y = maxPool2d(c2.forward(y), kernel: 3, stride: 2, ceilMode: true)
        y = prelu4.forward(dense4.forward(flattenWHC(c3.forward(y))))
        return (regHead.forward(y), softmax(probHead.forward(y), axis: 1))
    }
}

/// O-Net: final 48x48 stage with the 5 points.
public struct ONet {
    let c1, c2, c3, c4: ConvPReLU
    let dense5: Linear, prelu5: PReLU
    let probHead, regHead, pointHead: Linear

    public init(file: SafeTensorsFile) throws {
        c1 = try ConvPReLU(file, conv: "conv1", prelu: "prelu1")
        c2 = try ConvPReLU(file, conv: "conv2", prelu: "prelu2")
        c3 = try ConvPReLU(file, conv: "conv3", prelu: "prelu3")
        c4 = try ConvPReLU(file, conv: "conv4", prelu: "prelu4")
        dense5 = try loadLinear(file, "dense5")
        prelu5 = PReLU(alpha: try file.tensor("prelu5.weight"))
        probHead = try loadLinear(file, "dense6_1")
        regHead = try loadLinear(file, "dense6_2")
        pointHead = try loadLinear(file, "dense6_3")
    }

    /// x: [N, 3, 48, 48]; returns (reg [N, 4], points [N, 10], prob [N, 2]).
    public func forward(_ x: Tensor) -> (reg: Tensor, points: Tensor, prob: Tensor) {
        var y = maxPool2d(c1.forward(x), kernel: 3, stride: 2, ceilMode: true)
        y = maxPool2d(c2.forward(y), kernel: 3, stride: 2, ceilMode: true)
        y = maxPool2d(c3.forward(y), kernel: 2, stride: 2, ceilMode: true)
        y = prelu5.forward(dense5.forward(flattenWHC(c4.forward(y))))
        return (regHead.forward(y), pointHead.forward(y), softmax(probHead.forward(y), axis: 1))
    }
}

/// The three MTCNN networks, loaded from `mtcnn/{p,r,o}net.safetensors` on the model search path.
public struct MTCNNNetworks {
    public let pnet: PNet
    public let rnet: RNet
    public let onet: ONet

    public init(searchPath: ModelSearchPath = .standard()) throws {
        func open(_ name: String) throws -> SafeTensorsFile { try SafeTensorsFile(url: try searchPath.locate("mtcnn/\(name).safetensors")) }
        pnet = try PNet(file: open("pnet"))
        rnet = try RNet(file: open("rnet"))
        onet = try ONet(file: open("onet"))
    }
}
