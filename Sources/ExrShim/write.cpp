// Writing: single-part scanline files from planar Float32 (uint channels also from exact uint planes), attributes passed through as raw bytes.
#include "common.h"
#include <shimsupport.h>
#include "convert.h"
#include "exrshim.h"
#include "bands.h"
#include "write_paths.h"
#include <ImfAttribute.h>
#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfOpaqueAttribute.h>
#include <ImfOutputFile.h>
#include <ImfStdIO.h>
#include <ImfVersion.h>
#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace Imf;
using Imath::Box2i;
using Imath::V2i;

namespace {

bool isStructural(const char *name) {
    static const char *const names[] = {"channels", "compression", "dataWindow", "displayWindow", "lineOrder",
                                        "tiles", "type", "name", "chunkCount", "version", "maxSamplesPerPixel"};
    for (const char *n : names)
        if (std::strcmp(n, name) == 0) return true;
    return false;
}

/// Rebuilds an attribute from its file bytes; unknown types stay opaque, so they round-trip as is.
std::unique_ptr<Attribute> makeAttribute(const ExrShimAttribute &source) {
    std::unique_ptr<Attribute> attribute(Attribute::knownType(source.type)
                                             ? Attribute::newAttribute(source.type)
                                             : new OpaqueAttribute(source.type));
    StdISStream stream;
    if (source.size < 0 || (source.size > 0 && source.bytes == nullptr))
        throw std::invalid_argument(std::string("bad value for attribute ") + source.name);
    if (source.size > 0) stream.str(std::string(reinterpret_cast<const char *>(source.bytes), size_t(source.size)));
    attribute->readValueFrom(stream, source.size, EXR_VERSION);
    return attribute;
}

/// Runs body(begin, end) over [0, n) split into `threads` contiguous ranges.
template <class Body> void parallelRanges(size_t n, int threads, Body body) {
    const size_t workers = size_t(std::max(1, std::min(threads, 16)));
    if (workers == 1 || n < 65536) {
        body(size_t(0), n);
        return;
    }
    std::vector<std::thread> pool;
    for (size_t w = 1; w < workers; ++w) pool.emplace_back(body, n * w / workers, n * (w + 1) / workers);
    body(size_t(0), n / workers);
    for (auto &t : pool) t.join();
}

/// Rows [first, first + rows) of one channel in the file's type: float planes are used in place;
/// half and uint rows are converted into a band buffer that is reused for every band of the
/// image, so a 4K frame never allocates (and page-faults) a whole second copy of itself.
struct BandPlane {
    const ExrShimChannel *channel = nullptr;
    std::vector<char> band;
    size_t sampleSize = sizeof(float);

    BandPlane(const ExrShimChannel &source, size_t bandSamples)
        : channel(&source), sampleSize(exrshim::sampleBytes(source.pixelType, source.name)) {
        if (source.pixelType != EXRSHIM_FLOAT && exrshim::exactUintPlane(source) == nullptr) band.resize(bandSamples * sampleSize);
    }

    /// Pointer to the first of `count` samples starting at sample `offset` of the plane.
    const char *fill(size_t offset, size_t count, int threads) {
        if (const uint32_t *exact = exrshim::exactUintPlane(*channel)) return reinterpret_cast<const char *>(exact + offset);
        const float *src = channel->plane + offset;
        if (channel->pixelType == EXRSHIM_FLOAT) return reinterpret_cast<const char *>(src);
        char *dst = band.data();
        parallelRanges(count, threads, [&](size_t b, size_t e) {
            exrshim::convertSamples(src + b, channel->pixelType, dst + b * sampleSize, e - b);
        });
        return band.data();
    }
};

Box2i box(const int32_t corners[4]) { return Box2i(V2i(corners[0], corners[1]), V2i(corners[2], corners[3])); }

/// Any compression: Imf::OutputFile copies each band's samples from a frame buffer into its
/// line buffers and compresses chunks on its worker threads.
void writeThroughOutputFile(const char *path, const Header &header, const ExrShimChannel *channels, int channelCount,
                            int threads) {
    const Box2i &dw = header.dataWindow();
    const int64_t width = int64_t(dw.max.x) - dw.min.x + 1;
    const int64_t height = int64_t(dw.max.y) - dw.min.y + 1;
    OutputFile out(path, header, exrshim::fileThreads(threads));
    // Bands of whole chunks, enough of them that every thread has chunks to compress.
    const int64_t chunkLines = exrshim::linesPerChunk(header.compression());
    const int64_t bandLines = std::min(height, std::max<int64_t>(64, chunkLines * std::max(threads, 1) * 2));
    // Two sets of band buffers: with more than one thread, the next band is converted while
    // OpenEXR compresses and writes this one.
    const bool overlap = threads > 1 && height > bandLines;
    std::vector<BandPlane> planes[2];
    for (int set = 0; set < (overlap ? 2 : 1); ++set) {
        planes[set].reserve(size_t(channelCount));
        for (int i = 0; i < channelCount; ++i) planes[set].emplace_back(channels[i], size_t(bandLines * width));
    }
    std::vector<const char *> bases[2];
    // A helper converter gets one thread while OpenEXR uses the others.
    auto fill = [&](int set, int64_t first, bool onHelper) {
        const int64_t rows = std::min(bandLines, height - first);
        bases[set].clear();
        for (auto &plane : planes[set])
            bases[set].push_back(plane.fill(size_t(first * width), size_t(rows * width), onHelper ? 1 : threads));
    };
    auto writeBand = [&](int set, int64_t first) {
        const int64_t rows = std::min(bandLines, height - first);
        FrameBuffer frame;
        for (size_t c = 0; c < planes[set].size(); ++c) {
            const BandPlane &plane = planes[set][c];
            frame.insert(plane.channel->name,
                         Slice::Make(PixelType(plane.channel->pixelType), bases[set][c], V2i(dw.min.x, int(dw.min.y + first)),
                                     width, rows, plane.sampleSize, size_t(width) * plane.sampleSize));
        }
        out.setFrameBuffer(frame);
        out.writePixels(int(rows));
    };
    exrshim::pipelineBands(height, bandLines, overlap, fill, writeBand);
}

} // namespace

Header exrshim::makeHeader(const int32_t dataWindow[4], const int32_t displayWindow[4], int compression, float dwaLevel,
                           const ExrShimAttribute *attributes, int attributeCount, const ExrShimChannel *channels,
                           int channelCount) {
    if (compression < 0 || compression >= NUM_COMPRESSION_METHODS)
        throw std::invalid_argument("unknown compression " + std::to_string(compression));
    Header header(box(displayWindow), box(dataWindow));
    for (int i = 0; i < attributeCount; ++i) {
        if (isStructural(attributes[i].name)) continue;
        header.insert(attributes[i].name, *makeAttribute(attributes[i]));
    }
    header.compression() = Compression(compression);
    if (dwaLevel > 0) header.dwaCompressionLevel() = dwaLevel;
    header.lineOrder() = INCREASING_Y;
    for (int i = 0; i < channelCount; ++i) header.channels().insert(channels[i].name, Channel(PixelType(channels[i].pixelType)));
    return header;
}

extern "C" int exrshim_write(const char *path, const int32_t dataWindow[4], const int32_t displayWindow[4],
                             int compression, float dwaLevel, const ExrShimAttribute *attributes,
                             int attributeCount, const ExrShimChannel *channels, int channelCount, int threads,
                             int options, char *err, size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        Header header = exrshim::makeHeader(dataWindow, displayWindow, compression, dwaLevel, attributes, attributeCount,
                                            channels, channelCount);
        if (compression == NO_COMPRESSION && channelCount > 0 && !(options & EXRSHIM_WRITE_THROUGH_OUTPUTFILE))
            exrshim::writeUncompressed(path, header, channels, channelCount, threads);
        else
            writeThroughOutputFile(path, header, channels, channelCount, threads);
    });
}
