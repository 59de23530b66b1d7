import COpenBLAS

/// The CPU tensor engine: tensors, layers with forward and backward, optimizers, safetensors.
public enum NeuralLibrary {
    /// OpenBLAS build configuration, e.g. "OpenBLAS 0.3.21 ... Zen".
    public static var blasConfig: String { String(cString: openblas_get_config()) }
}
