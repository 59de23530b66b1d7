import CFFmpeg
import FFShim
import Imaging
import Support

/// Converts decoded frames of any pixel format to planar Float32 RGB(A) with swscale
/// (GBRPF32LE / GBRAPF32LE, the cheapest float output; see TOOLCHAIN.md).
///
/// YUV sources use the frame's own matrix and range when the file tags them; untagged frames get
/// BT.709 (`fallbackMatrix`) and limited range (full for the `yuvj` formats). RGB sources map
/// integer code values exactly to code / max without swscale (swscale is off by up to one 10-bit
/// code for DPX and TIFF sources), reading any layout through the pixel format descriptor. Chroma is upsampled with bicubic interpolation and accurate rounding.
final class MovieFrameConverter {
    let file: String
    let fallbackMatrix: AVColorSpace
    let threads: Int
    /// The swscale context and its output frame for the frames of `key`'s size and format.
    private var scaler: (sws: FFScaler, output: FFFrame)?
    private var key: [Int] = []

    static let swsFlags = Int64(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)

    init(file: String, fallbackMatrix: AVColorSpace = AVCOL_SPC_BT709, threads: Int = workerCount) {
        self.file = file
        self.fallbackMatrix = fallbackMatrix
        self.threads = threads
    }

    func convert(_ frame: UnsafeMutablePointer<AVFrame>, index: Int?) throws -> ImageBuffer {
        if let exact = Self.exactIntegerRGB(frame) { return exact }
        let f = frame.pointee
        let format = AVPixelFormat(rawValue: f.format)
        guard let descriptor = av_pix_fmt_desc_get(format) else {
            throw MediaError(file: file, frame: index, stage: "convert", reason: "unknown pixel format \(f.format)")
        }
        let hasAlpha = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
        let isRGB = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        let target = hasAlpha ? AV_PIX_FMT_GBRAPF32LE : AV_PIX_FMT_GBRPF32LE
        let matrix = f.colorspace == AVCOL_SPC_UNSPECIFIED || f.colorspace == AVCOL_SPC_RGB ? fallbackMatrix : f.colorspace
        let formatName = String(cString: descriptor.pointee.name)
        let fullRange = f.color_range == AVCOL_RANGE_JPEG || formatName.hasPrefix("yuvj") || isRGB
        let wanted = [Int(f.width), Int(f.height), Int(f.format), Int(matrix.rawValue), fullRange ? 1 : 0]
        if scaler == nil || wanted != key {
            scaler = nil   // the old context and frame go before the new ones are made
            scaler = try makeScaler(width: f.width, height: f.height, source: format, target: target, matrix: matrix, fullRange: fullRange, index: index)
            key = wanted
        }
        let (sws, output) = scaler!
        try ffCheck(sws_scale_frame(sws.pointer, output.pointer, frame), file: file, frame: index, stage: "convert")
        let out = output.pointer
        let width = Int(f.width), height = Int(f.height)
        // GBR(A) plane order: data[0] = G, data[1] = B, data[2] = R, data[3] = A.
        let order = hasAlpha ? [2, 0, 1, 3] : [2, 0, 1]
        let data = [out.pointee.data.0, out.pointee.data.1, out.pointee.data.2, out.pointee.data.3]
        let strides = [out.pointee.linesize.0, out.pointee.linesize.1, out.pointee.linesize.2, out.pointee.linesize.3]
        let planes: [[Float]] = order.map { p in
            [Float](unsafeUninitializedCapacity: width * height) { buffer, count in
                let base = UnsafeRawPointer(data[p]!)
                for y in 0..<height {
                    (buffer.baseAddress! + y * width).update(from: (base + y * Int(strides[p])).assumingMemoryBound(to: Float.self), count: width)
                }
                count = width * height
            }
        }
        return ImageBuffer(width: width, height: height, channels: hasAlpha ? ["R", "G", "B", "A"] : ["R", "G", "B"], planes: planes)
    }

    private func makeScaler(width: Int32, height: Int32, source: AVPixelFormat, target: AVPixelFormat,
                            matrix: AVColorSpace, fullRange: Bool, index: Int?) throws -> (sws: FFScaler, output: FFFrame) {
        let scaler = try FFScaler(sws_alloc_context(), reason: "cannot allocate a swscale context", file: file, frame: index, stage: "convert")
        let sws = scaler.pointer
        let context = UnsafeMutableRawPointer(sws)
        for (name, value) in [("srcw", Int64(width)), ("srch", Int64(height)), ("src_format", Int64(source.rawValue)),
                              ("dstw", Int64(width)), ("dsth", Int64(height)), ("dst_format", Int64(target.rawValue)),
                              ("sws_flags", Self.swsFlags), ("threads", Int64(threads))] {
            try ffCheck(av_opt_set_int(context, name, value, 0), file: file, frame: index, stage: "convert (swscale option \(name))")
        }
        try ffCheck(sws_init_context(sws, nil, nil), file: file, frame: index, stage: "convert (swscale init for \(String(cString: av_get_pix_fmt_name(source))))")
        let coefficients = sws_getCoefficients(Int32(matrix.rawValue))
        // Output is full-range RGB; brightness 0, contrast and saturation 1.0 in 16.16 fixed point.
        _ = sws_setColorspaceDetails(sws, coefficients, fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_ITU709), 1, 0, 1 << 16, 1 << 16)
        let output = try FFFrame(format: target, width: width, height: height, alignment: 64, file: file, frame: index, stage: "convert (frame buffer)")
        return (scaler, output)
    }

    /// RGB(A) and grey(+alpha) integer formats, read component by component: value = code / (2^depth - 1).
    /// Nil for YUV, float and palette formats.
    static func exactIntegerRGB(_ frame: UnsafeMutablePointer<AVFrame>) -> ImageBuffer? {
        let f = frame.pointee
        guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: f.format)) else { return nil }
        let d = descriptor.pointee
        let flags = d.flags
        guard flags & UInt64(AV_PIX_FMT_FLAG_FLOAT) == 0, flags & UInt64(AV_PIX_FMT_FLAG_PAL) == 0,
              flags & UInt64(AV_PIX_FMT_FLAG_HWACCEL) == 0 else { return nil }
        let isRGB = flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        let hasAlpha = flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
        let components = Int(d.nb_components)
        guard isRGB ? components >= 3 : components <= 2 else { return nil }
        // Descriptor components of RGB formats are R, G, B(, A) whatever the memory order; grey is Y(, A).
        let source = isRGB ? Array(0..<(hasAlpha ? 4 : 3)) : (hasAlpha ? [0, 0, 0, 1] : [0, 0, 0])
        let depths = [d.comp.0.depth, d.comp.1.depth, d.comp.2.depth, d.comp.3.depth]
        let width = Int(f.width), height = Int(f.height)
        var data: [UnsafePointer<UInt8>?] = [f.data.0, f.data.1, f.data.2, f.data.3].map { $0.map { UnsafePointer($0) } }
        let linesizes: [Int32] = [f.linesize.0, f.linesize.1, f.linesize.2, f.linesize.3]
        var image = ImageBuffer(width: width, height: height, channels: hasAlpha ? ["R", "G", "B", "A"] : ["R", "G", "B"])
        var codes = [UInt32](repeating: 0, count: width)
        for (c, component) in source.enumerated() {
            let maximum = Float((UInt64(1) << UInt64(depths[component])) - 1)
            image.planes[c].withUnsafeMutableBufferPointer { plane in
                for y in 0..<height {
                    codes.withUnsafeMutableBytes { buffer in
                        av_read_image_line2(buffer.baseAddress, &data, linesizes, descriptor, 0, Int32(y), Int32(component), Int32(width), 0, 4)
                    }
                    for x in 0..<width { plane[y * width + x] = Float(codes[x]) / maximum }
                }
            }
        }
        return image
    }
}
