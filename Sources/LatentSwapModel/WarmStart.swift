import Foundation
import Neural

extension SwapAutoencoder {
    /// Names of the parameters that carry identity and start afresh in a warm start: the inter
    /// (df) or inter_AB and inter_B (liae), as DeepFaceLab re-initialises them when a pretrained
    /// model goes on to a shot. The encoder and the decoders (with their mask heads) have learnt
    /// faces in general and are kept.
    var identitySpecificParameters: Set<String> { Set(inters.flatMap(\.parameters).map(\.name)) }

    /// Copies every generic parameter of `pretrained` (same architecture) into this model, leaving
    /// the inter(s) and the VQ codebook as freshly initialised. Returns how many tensors were copied.
    @discardableResult
    public func warmStart(from pretrained: SwapAutoencoder, source: String) throws -> Int {
        var mine = config, theirs = pretrained.config
        // The codec weights and the crop's face type must match; training settings may differ.
        (mine.backgroundWeight, theirs.backgroundWeight) = (0, 0)
        (mine.initialisation, theirs.initialisation) = (.he, .he)
        guard mine == theirs else {
            throw SwapModelError.invalidConfig(file: source, field: "init_from",
                                               reason: "its architecture, codec or resolution differs from train.yaml's model")
        }
        let given = Dictionary(uniqueKeysWithValues: pretrained.parameters.map { ($0.name, $0) })
        var copied = 0
        for p in parameters where !identitySpecificParameters.contains(p.name) {
            guard let q = given[p.name], q.value.shape == p.value.shape else {
                throw SwapModelError.weightMismatch(file: source, name: p.name, reason: "missing or of another shape")
            }
            p.value = q.value
            copied += 1
        }
        return copied
    }
}
