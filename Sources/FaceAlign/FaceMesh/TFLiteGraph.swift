import Foundation
import Neural

/// A TFLite graph exported as `<model>.graph.json` + `.safetensors` (../shared/models/MANIFEST.md),
/// run on Neural's NCHW ops. Weights are converted from TFLite's NHWC layouts once, at load.
/// Supports the ops of face_landmark and face_detection_short_range: CONV_2D, DEPTHWISE_CONV_2D,
/// PRELU, RELU, ADD, PAD (channel padding), MAX_POOL_2D (VALID, or SAME where it pads nothing),
/// RESHAPE, CONCATENATION.
public final class TFLiteGraph {
    enum Step {
        case conv(Conv2d, activation: String)
        case prelu(PReLU)
        case relu
        case add(activation: String)
        case padChannels(before: Int, after: Int)
        case maxPool(kernel: Int, stride: Int)
        case reshape
        /// Along a TFLite (NHWC) axis; rank-4 values are held NCHW, so the axis is mapped for them.
        case concat(axis: Int)
    }

    struct Node {
        let step: Step
        let inputs: [String]
        let output: String
        let outputShape: [Int]
    }

    let nodes: [Node]
    public let inputName: String
    public let inputShape: [Int]
    public let outputNames: [String]

    public convenience init(modelPath: String, searchPath: ModelSearchPath = .standard()) throws {
        let json = try searchPath.locate(modelPath + ".graph.json")
        let weights = try searchPath.locate(modelPath + ".safetensors")
        try self.init(graph: json, weights: weights)
    }

    public init(graph graphURL: URL, weights weightsURL: URL) throws {
        let path = graphURL.path
        func fail(_ why: String) -> FaceAlignError { .badModel(path, why) }
        guard let root = try JSONSerialization.jsonObject(with: Data(contentsOf: graphURL)) as? [String: Any],
              let ops = root["ops"] as? [[String: Any]], let tensors = root["tensors"] as? [[String: Any]],
              let inputs = root["input_names"] as? [String], inputs.count == 1,
              let outputs = root["output_names"] as? [String]
        else { throw fail("not a graph.json (ops, tensors, input_names, output_names)") }
        let file = try SafeTensorsFile(url: weightsURL)
        var shapes: [String: [Int]] = [:]
        var inlineValues: [String: [Int]] = [:]
        for t in tensors {
            guard let name = t["name"] as? String else { continue }
            shapes[name] = t["shape"] as? [Int]
            if let v = t["value"] as? [Int] { inlineValues[name] = v }
        }
        inputName = inputs[0]
        inputShape = shapes[inputName] ?? []
        outputNames = outputs
        guard inputShape.count == 4, inputShape[0] == 1 else { throw fail("input \(inputName) is not 1xHxWxC") }

        var built: [Node] = []
        for (index, op) in ops.enumerated() {
            guard let kind = op["op"] as? String, let ins = op["input_names"] as? [String],
                  let outs = op["output_names"] as? [String], outs.count == 1,
                  let inShapes = op["input_shapes"] as? [[Int]], let outShapes = op["output_shapes"] as? [[Int]]
            else { throw fail("op \(index) is malformed") }
            let options = op["options"] as? [String: Any] ?? [:]
            let activation = options["FusedActivationFunction"] as? String ?? "NONE"
            func int(_ key: String) throws -> Int {
                guard let v = options[key] as? Int else { throw fail("op \(index) (\(kind)) lacks option \(key)") }
                return v
            }
            let step: Step
            var dataInputs = [ins[0]]
            switch kind {
            case "CONV_2D", "DEPTHWISE_CONV_2D":
                guard ins.count >= 2 else { throw fail("op \(index) (\(kind)) has no weights") }
                let stride = try int("StrideH")
                guard stride == (try int("StrideW")), (options["DilationHFactor"] as? Int ?? 1) == 1 else {
                    throw fail("op \(index) (\(kind)): only equal strides and no dilation are supported")
                }
                let k = try file.tensor(ins[1])
                let depthwise = kind == "DEPTHWISE_CONV_2D"
                // CONV_2D [out, kh, kw, in] -> [out, in, kh, kw]; DEPTHWISE [1, kh, kw, C] -> [C, 1, kh, kw].
                let weight = depthwise ? permute(k, [3, 0, 1, 2]) : permute(k, [0, 3, 1, 2])
                let bias = ins.count > 2 ? try file.tensor(ins[2]) : nil
                let x = inShapes[0]
                let padding: Padding = (options["Padding"] as? String) == "SAME"
                    ? .same(height: x[1], width: x[2], kernel: weight.shape[2], stride: stride) : .zero
                if weight.shape[2] != weight.shape[3] && padding != .zero {
                    throw fail("op \(index): SAME padding with a non-square kernel")
                }
                let conv = Conv2d(weight: weight, bias: bias, stride: stride, padding: padding,
                                  groups: depthwise ? weight.shape[0] : 1)
                step = .conv(conv, activation: activation)
            case "PRELU":
                step = .prelu(PReLU(alpha: try file.tensor(ins[1]).reshaped([-1])))
            case "RELU":
                step = .relu
            case "ADD":
                dataInputs = ins
                step = .add(activation: activation)
            case "PAD":
                guard let pads = inlineValues[ins[1]], pads.count == 8, pads[0...5].allSatisfy({ $0 == 0 }) else {
                    throw fail("op \(index) (PAD): only channel padding is supported")
                }
                step = .padChannels(before: pads[6], after: pads[7])
            case "MAX_POOL_2D":
                let kernel = try int("FilterHeight"), stride = try int("StrideH"), x = inShapes[0]
                // SAME pads nothing when the window tiles the input exactly (the detector's 2x2/2 pools).
                let padsNothing = (options["Padding"] as? String) == "VALID"
                    || (kernel == stride && x.count == 4 && x[1] % stride == 0 && x[2] % stride == 0)
                guard padsNothing, kernel == (try int("FilterWidth")), stride == (try int("StrideW")) else {
                    throw fail("op \(index) (MAX_POOL_2D): only square pooling without padding is supported")
                }
                step = .maxPool(kernel: kernel, stride: stride)
            case "RESHAPE":
                step = .reshape
            case "CONCATENATION":
                guard activation == "NONE", let axis = options["Axis"] as? Int, axis >= 0, axis < outShapes[0].count else {
                    throw fail("op \(index) (CONCATENATION): needs a non-negative Axis and no fused activation")
                }
                dataInputs = ins
                step = .concat(axis: outShapes[0].count == 4 ? [0, 2, 3, 1][axis] : axis)
            default:
                throw fail("op \(index): \(kind) is not supported by this interpreter")
            }
            built.append(Node(step: step, inputs: dataInputs, output: outs[0], outputShape: outShapes[0]))
        }
        nodes = built
    }

    /// Runs the graph on an NHWC input (batch 1) and returns the named outputs as NHWC tensors.
    public func run(nhwc input: Tensor) -> [String: Tensor] {
        shapeCheck(input.shape == inputShape, "graph input \(inputName) wants \(inputShape), got \(input.shape)")
        var values: [String: Tensor] = [inputName: nhwcToNCHW(input)]
        for node in nodes {
            let x = values[node.inputs[0]]!
            let y: Tensor
            switch node.step {
            case .conv(let conv, let act): y = activate(conv.forward(x), act)
            case .prelu(let p): y = p.forward(x)
            case .relu: y = relu(x)
            case .add(let act): y = activate(add(x, values[node.inputs[1]]!), act)
            case .padChannels(let before, let after):
                var parts: [Tensor] = []
                if before > 0 { parts.append(.zeros([x.shape[0], before, x.shape[2], x.shape[3]])) }
                parts.append(x)
                if after > 0 { parts.append(.zeros([x.shape[0], after, x.shape[2], x.shape[3]])) }
                y = concat(parts, axis: 1)
            case .maxPool(let k, let s): y = maxPool2d(x, kernel: k, stride: s)
            case .reshape: y = (x.rank == 4 ? nchwToNHWC(x) : x).reshaped(node.outputShape)
            case .concat(let axis): y = concat(node.inputs.map { values[$0]! }, axis: axis)
            }
            values[node.output] = y
        }
        var out: [String: Tensor] = [:]
        for name in outputNames {
            let v = values[name]!
            out[name] = v.rank == 4 ? nchwToNHWC(v) : v
        }
        return out
    }

    private func activate(_ x: Tensor, _ kind: String) -> Tensor {
        switch kind {
        case "RELU": return relu(x)
        case "RELU6": return x.map { min(max($0, 0), 6) }
        default: return x
        }
    }
}

/// Axis permutation of a rank-4 tensor: output axis i is input axis `order[i]`.
func permute(_ t: Tensor, _ order: [Int]) -> Tensor {
    precondition(t.rank == 4 && order.count == 4)
    let s = t.shape
    let outShape = order.map { s[$0] }
    var inStrides = [1, 1, 1, 1]
    for i in stride(from: 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * s[i + 1] }
    let st = order.map { inStrides[$0] }
    var out = [Float](repeating: 0, count: t.count)
    var o = 0
    for a in 0..<outShape[0] {
        for b in 0..<outShape[1] {
            for c in 0..<outShape[2] {
                let base = a * st[0] + b * st[1] + c * st[2]
                for d in 0..<outShape[3] {
                    out[o] = t.data[base + d * st[3]]
                    o += 1
                }
            }
        }
    }
    return Tensor(shape: outShape, data: out)
}

func nhwcToNCHW(_ t: Tensor) -> Tensor { permute(t, [0, 3, 1, 2]) }
func nchwToNHWC(_ t: Tensor) -> Tensor { permute(t, [0, 2, 3, 1]) }
