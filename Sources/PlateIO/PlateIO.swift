import ExrShim

/// Plate input and output: EXR through the OpenEXR C++ library, movies and image sequences through FFmpeg.
public enum PlateIOLibrary {
    /// Version of the linked OpenEXR library.
    public static var openEXRVersion: String { String(cString: exrshim_version()) }
}
