/// Translates tiny-autoencoder (TAESD family) weight names to one canonical form:
/// `encoder.N.<rest>` / `decoder.N.<rest>` with N the Sequential index of upstream taesd.py.
///
/// taesd.py files (`taef2_encoder.safetensors`) hold `N.<rest>` for one half; which half is known
/// from the file. diffusers `AutoencoderTiny` holds both halves as `encoder.layers.N.<rest>` and
/// `decoder.layers.M.<rest>`, where M = N - 1 because diffusers runs the decoder's clamp (taesd.py
/// decoder index 0) in `forward` instead of as a layer.
public enum TinyCodecKeyMap {
    public enum Half: String, Sendable { case encoder, decoder }

    /// Canonical name of a key from a file holding only `half` in taesd.py naming (`N.<rest>`),
    /// or from a combined file (`encoder.layers.N...`, `decoder.layers.M...`, `encoder.N...`) when `half` is nil.
    public static func canonical(_ name: String, half: Half?) -> String? {
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var found = half
        if let first = parts.first, let named = Half(rawValue: first) {
            if let half, half != named { return nil }
            found = named
            parts.removeFirst()
            if parts.first == "layers" {
                parts.removeFirst()
                // diffusers numbering: shift the decoder back to taesd.py numbering.
                guard named == .decoder else { return join(.encoder, parts) }
                guard let index = parts.first.flatMap({ Int($0) }) else { return nil }
                parts[0] = String(index + 1)
            }
        }
        guard let found else { return nil }
        return join(found, parts)
    }

    private static func join(_ half: Half, _ parts: [String]) -> String? {
        guard parts.count >= 2, let index = Int(parts[0]), index >= 0 else { return nil }
        return ([half.rawValue] + parts).joined(separator: ".")
    }
}
