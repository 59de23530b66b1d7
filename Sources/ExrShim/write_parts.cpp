// Writing multi-part files: every part of a plate frame, each with its own name, windows,
// attributes and channel types (the swapped part's new channels among them).
#include "common.h"
#include <shimsupport.h>
#include "convert.h"
#include "exrshim.h"
#include "write_paths.h"
#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfMultiPartOutputFile.h>
#include <ImfOutputPart.h>
#include <ImfPartType.h>
#include <stdexcept>
#include <string>
#include <vector>

using namespace Imf;
using Imath::Box2i;
using Imath::V2i;

extern "C" int exrshim_write_parts(const char *path, const ExrShimPart *parts, int partCount, int compression,
                                   float dwaLevel, int threads, char *err, size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        if (partCount < 1) throw std::invalid_argument("no parts to write");
        std::vector<Header> headers;
        for (int p = 0; p < partCount; ++p) {
            const ExrShimPart &part = parts[p];
            if (part.name == nullptr || part.name[0] == 0) throw std::invalid_argument("every part of a multi-part file needs a name");
            Header header = exrshim::makeHeader(part.dataWindow, part.displayWindow, compression, dwaLevel, part.attributes,
                                                part.attributeCount, part.channels, part.channelCount);
            header.setName(part.name);
            header.setType(SCANLINEIMAGE);
            headers.push_back(header);
        }
        MultiPartOutputFile out(path, headers.data(), int(headers.size()), false, exrshim::fileThreads(threads));
        for (int p = 0; p < partCount; ++p) {
            const Box2i &dw = headers[size_t(p)].dataWindow();
            const int64_t width = int64_t(dw.max.x) - dw.min.x + 1;
            const int64_t height = int64_t(dw.max.y) - dw.min.y + 1;
            OutputPart part(out, p);
            FrameBuffer frame;
            // Imf writes from buffers of each channel's own type: float planes are used in place,
            // half and uint ones converted first.
            std::vector<std::vector<char>> converted;
            for (int c = 0; c < parts[p].channelCount; ++c) {
                const ExrShimChannel &channel = parts[p].channels[c];
                const size_t size = exrshim::sampleBytes(channel.pixelType, channel.name);
                const size_t count = size_t(width * height);
                const char *base = reinterpret_cast<const char *>(channel.plane);
                if (channel.pixelType != EXRSHIM_FLOAT) {
                    converted.emplace_back(count * size);
                    exrshim::convertSamples(channel.plane, channel.pixelType, converted.back().data(), count);
                    base = converted.back().data();
                }
                frame.insert(channel.name, Slice::Make(PixelType(channel.pixelType), base, dw.min, width, height, size,
                                                       size_t(width) * size));
            }
            part.setFrameBuffer(frame);
            part.writePixels(int(height));
        }
    });
}
