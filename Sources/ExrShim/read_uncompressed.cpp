// Uncompressed (NONE) scan-line parts: Imf hands over each chunk's raw samples (rawPixelData, the
// same call the chunk check uses) and they are converted here straight into the caller's Float32
// planes (uint channels asked for as uint: copied as they are). Imf's own readPixels would convert them sample by sample through its frame buffer.
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
                      void *const *planes, const int *planeTypes, int count) {
    const Imath::Box2i dw = header.dataWindow();
    const int64_t width = int64_t(dw.max.x) - dw.min.x + 1, height = int64_t(dw.max.y) - dw.min.y + 1;

    // Where each requested channel's samples sit in a scan line (channels in the file's order).
    struct Source {
        char *plane;
        int pixelType;
        bool exact;   // a uint channel into a uint plane
        size_t offset;
    };
    std::vector<Source> sources;
    std::vector<char *> absent;   // filled with 0, as Imf fills channels the file lacks
    size_t lineBytes = 0;
    for (auto it = header.channels().begin(); it != header.channels().end(); ++it) {
        const int pixelType = int(it.channel().type);
        for (int i = 0; i < count; ++i)
            if (std::strcmp(names[i], it.name()) == 0) {
                const bool exact = planeTypes[i] == EXRSHIM_UINT;
                if (exact && pixelType != EXRSHIM_UINT)
                    throw std::invalid_argument(std::string("channel ") + names[i] + " is not uint");
                sources.push_back({static_cast<char *>(planes[i]), pixelType, exact, lineBytes});
            }
        lineBytes += size_t(width) * sampleBytes(pixelType, it.name());
    }
    for (int i = 0; i < count; ++i)
        if (header.channels().findChannel(names[i]) == nullptr) absent.push_back(static_cast<char *>(planes[i]));

    InputPart in(file, part);
    for (int64_t row = 0; row < height; ++row) {
        const int y = int(dw.min.y + row);
        const char *data = nullptr;
        int size = 0;
        in.rawPixelData(y, data, size);
        if (size < 0 || size_t(size) != lineBytes)
            throw std::runtime_error("scan line " + std::to_string(y) + " holds " + std::to_string(size) + " bytes, expected " +
                                     std::to_string(lineBytes));
        for (const Source &source : sources) {
            char *out = source.plane + size_t(row * width) * 4;
            if (source.exact)
                std::memcpy(out, data + source.offset, size_t(width) * 4);
            else
                convertToFloat(data + source.offset, source.pixelType, reinterpret_cast<float *>(out), size_t(width));
        }
    }
    // Zero bits are 0 as float and as uint alike.
    for (char *plane : absent) std::memset(plane, 0, size_t(width * height) * 4);
}

} // namespace exrshim
