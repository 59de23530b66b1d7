import COpenBLAS

/// The CPU tensor engine: tensors, layers with forward and backward, optimizers, safetensors.
///
/// - `Tensor` (shape + Float32 data, row-major; images NCHW). Shape errors stop with a message
///   naming the op and shapes (`shapeCheck`), also in `-Ounchecked` builds.
/// - `SafeTensorsFile(url:)`: memory-mapped reader (F32/F16/BF16 -> Float32, `int32s` for I32),
///   typed `SafeTensorsError`s naming file and tensor; `SafeTensorsFile.write(_:to:metadata:)`.
/// - Layers (final classes holding `Parameter`s named as in checkpoints): `Conv2d`, `Linear`,
///   `GroupNorm`, `LayerNorm`, `PReLU`. Each has `forward(Tensor) -> Tensor` (inference: no tape,
///   no saved activations) and `forward(Var) -> Var` (training: records on the `Var`'s `Tape`).
/// - Functions with the same two forms: `relu`, `leakyReLU`, `silu`, `tanh`, `sigmoid`,
///   `softmax(axis:)`, `upsampleNearest(scale:)`, `pixelShuffle(factor:order:)`,
///   `maxPool2d` / `avgPool2d` (ceil mode), `scaledDotProductAttention`, `add` / `sub` / `mul`
///   (broadcasting the second operand), `concat(axis:)`, `slice`, `reshape`; training-only
///   `scale`, `sum`, `mean`, `mseLoss`, `l1Loss`.
/// - Training: `let tape = Tape(); let x = tape.variable(t); let loss = ...; tape.backward(loss)`
///   fills each `Parameter.grad`; `Adam` / `AdamW` update them; `SeededRandom` makes init and
///   sampling reproducible; `Init` has Kaiming / Xavier uniform.
/// - `sgemm` wraps `cblas_sgemm` (row-major); convolution is tiled im2col + sgemm, or a direct
///   kernel for layers with <= 8 outputs per group (thin and depthwise layers).
public enum NeuralLibrary {
    /// OpenBLAS build configuration, e.g. "OpenBLAS 0.3.21 ... Zen".
    public static var blasConfig: String { String(cString: openblas_get_config()) }
}
