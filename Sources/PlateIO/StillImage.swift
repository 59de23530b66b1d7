import Foundation
import Imaging

/// One still image file (PNG 8/16-bit, JPEG, TIFF, DPX) as Float32 R, G, B(, A), decoded like a
/// frame of a sequence of that type (integer formats exactly, JPEG with its BT.601 matrix).
/// EXR files go through `ExrImage`.
public enum StillImage {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff", "dpx"]

    public static func read(_ url: URL) throws -> ImageBuffer {
        if url.pathExtension.lowercased() == "png" { return try PNGFile.read(url) }
        return try SequenceImageDecoder.read(url)
    }
}
