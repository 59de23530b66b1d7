import Foundation
import Neural

/// The weights of one codec under canonical names, read from one or more safetensors files whose
/// key names are translated on the way in (see `SDVAEKeyMap`, `TinyCodecKeyMap`). Lookups check
/// the shape the architecture expects, so a wrong file fails at load with the key named.
struct CodecWeights {
    /// The file(s) the weights came from, for error messages.
    let source: String
    private var tensors: [String: Tensor] = [:]
    /// When set, every weight asked for is made up from this seed instead (benchmarks, tests).
    private var randomSeed: UInt64?

    init(source: String) { self.source = source }

    /// Weights drawn on demand: N(0, 1/fan_in) for convolutions and linears, 1 for 1-D
    /// `weight`s (norm scales) and 0 for biases. Each key gets its own stream, so values do not
    /// depend on the order of the lookups.
    init(randomSeed: UInt64) {
        source = "random weights (seed \(randomSeed))"
        self.randomSeed = randomSeed
    }

    /// Adds every key of `url` for which `canonical` returns a name; keys it rejects are ignored
    /// (LDM checkpoints also hold the loss network, full SD checkpoints the UNet).
    mutating func add(contentsOf url: URL, canonical: (String) -> String?) throws {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(url: url) } catch {
            throw CodecError.badFile(file: url.path, reason: "cannot read safetensors: \(error)")
        }
        for name in file.names {
            guard let key = canonical(name) else { continue }
            guard tensors[key] == nil else {
                throw CodecError.unrecognisedWeights(file: url.path, reason: "two tensors map to '\(key)' (the second is '\(name)')")
            }
            do { tensors[key] = try file.tensor(name) } catch {
                throw CodecError.badFile(file: url.path, reason: "tensor '\(name)': \(error)")
            }
        }
    }

    var keys: Dictionary<String, Tensor>.Keys { tensors.keys }
    func contains(_ key: String) -> Bool { randomSeed != nil || tensors[key] != nil }
    func shape(_ key: String) -> [Int]? { tensors[key]?.shape }

    /// The tensor `key`, which must have `shape`. A 1x1 convolution weight `[o, i, 1, 1]` is
    /// accepted where a linear `[o, i]` is asked for (LDM stores attention projections as convs).
    func take(_ key: String, _ shape: [Int]) throws -> Tensor {
        if let randomSeed { return CodecWeights.random(key, shape, seed: randomSeed) }
        guard let tensor = tensors[key] else { throw CodecError.missingWeight(file: source, key: key) }
        if tensor.shape == shape { return tensor }
        if shape.count == 2, tensor.shape == shape + [1, 1] { return Tensor(shape: shape, data: tensor.data) }
        throw CodecError.weightShape(file: source, key: key, expected: shape, found: tensor.shape)
    }

    func takeIfPresent(_ key: String, _ shape: [Int]) throws -> Tensor? {
        contains(key) ? try take(key, shape) : nil
    }

    private static func random(_ key: String, _ shape: [Int], seed: UInt64) -> Tensor {
        let count = shape.reduce(1, *)
        guard shape.count > 1 else { return Tensor(shape: shape, repeating: key.hasSuffix("weight") ? 1 : 0) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a of the key
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var generator = SeededRandom(seed: seed ^ hash)
        let std = 1 / Float(shape.dropFirst().reduce(1, *)).squareRoot()
        return Tensor(shape: shape, data: (0..<count).map { _ in generator.nextNormal() * std })
    }
}
