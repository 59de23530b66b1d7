// Uncompressed (NONE) scan-line parts: Imf hands over each chunk's raw samples (rawPixelData, the
// same call the chunk check uses) and they are converted here straight into the caller's Float32
// planes. Imf's own readPixels would convert them sample by sample through its frame buffer.
#include "convert.h"
#include "exrshim.h"
#include "read_paths.h"
#include <ImfChannelList.h>
#include <ImfInputPart.h>
#include <ImfPartType.h>
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

using namespace Imf;

namespace exrshim {

bool isUncompressedScanlinePart(const Header &header) {
    const bool tiled = header.hasType() ? isTiled(header.type()) : header.hasTileDescription();
    if (tiled || (header.hasType() && isDeepData(header.type())) || header.compression() != NO_COMPRESSION ||
        header.channels().begin() == header.channels().end())
        return false;
    // With subsampled channels, scan lines differ in length.
    for (auto it = header.channels().begin(); it != header.channels().end(); ++it)
        if (it.channel().xSampling != 1 || it.channel().ySampling != 1) return false;
    return true;
}

void readUncompressed(MultiPartInputFile &file, int part, const Header &header, const char *const *names,
                      float *const *planes, int count) {
    const Imath::Box2i dw = header.dataWindow();
    const int64_t width = int64_t(dw.max.x) - dw.min.x + 1, height = int64_t(dw.max.y) - dw.min.y + 1;

    // Where each requested channel's samples sit in a scan line (channels in the file's order).
    struct Source {
        float *plane;
        int pixelType;
        size_t offset;
    };
    std::vector<Source> sources;
    std::vector<float *> absent;   // filled with 0, as Imf fills channels the file lacks
    size_t lineBytes = 0;
    for (auto it = header.channels().begin(); it != header.channels().end(); ++it) {
        const int pixelType = int(it.channel().type);
        for (int i = 0; i < count; ++i)
            if (std::strcmp(names[i], it.name()) == 0) sources.push_back({planes[i], pixelType, lineBytes});
        lineBytes += size_t(width) * sampleBytes(pixelType, it.name());
    }
    for (int i = 0; i < count; ++i)
        if (header.channels().findChannel(names[i]) == nullptr) absent.push_back(planes[i]);

    InputPart in(file, part);
    for (int64_t row = 0; row < height; ++row) {
        const int y = int(dw.min.y + row);
        const char *data = nullptr;
        int size = 0;
        in.rawPixelData(y, data, size);
        if (size < 0 || size_t(size) != lineBytes)
            throw std::runtime_error("scan line " + std::to_string(y) + " holds " + std::to_string(size) + " bytes, expected " +
                                     std::to_string(lineBytes));
        for (const Source &source : sources)
            convertToFloat(data + source.offset, source.pixelType, source.plane + row * width, size_t(width));
    }
    for (float *plane : absent) std::fill(plane, plane + width * height, 0.0f);
}

} // namespace exrshim
