// Writing multi-part files: every part of a plate frame, each with its own name, windows,
// attributes and channel types (the swapped part's new channels among them); tiled parts with
// their tile description and every level; the parts plateswap leaves alone copied chunk for chunk
// from the plate (as OpenEXR's exrmultipart and exrmaketiled copy parts), deep ones included.
#include "common.h"
#include <shimsupport.h>
#include "convert.h"
#include "exrshim.h"
#include "write_paths.h"
#include <ImfChannelList.h>
#include <ImfDeepScanLineInputPart.h>
#include <ImfDeepScanLineOutputPart.h>
#include <ImfDeepTiledInputPart.h>
#include <ImfDeepTiledOutputPart.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfMultiPartOutputFile.h>
#include <ImfOutputPart.h>
#include <ImfPartType.h>
#include <ImfTileDescription.h>
#include <ImfTiledInputPart.h>
#include <ImfTiledOutputPart.h>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace Imf;
using Imath::Box2i;
using Imath::V2i;

namespace {

/// One slice per channel over `box`, from buffers of each channel's own type: float planes and
/// exact uint planes are used in place, the others converted into `converted` (kept alive by the caller).
FrameBuffer frameFor(const ExrShimChannel *channels, int count, const Box2i &box, std::vector<std::vector<char>> &converted) {
    const int64_t width = int64_t(box.max.x) - box.min.x + 1;
    const int64_t height = int64_t(box.max.y) - box.min.y + 1;
    FrameBuffer frame;
    for (int c = 0; c < count; ++c) {
        const ExrShimChannel &channel = channels[c];
        const size_t size = exrshim::sampleBytes(channel.pixelType, channel.name);
        const size_t samples = size_t(width * height);
        const char *base = reinterpret_cast<const char *>(channel.plane);
        if (const uint32_t *exact = exrshim::exactUintPlane(channel)) {
            base = reinterpret_cast<const char *>(exact);
        } else if (channel.pixelType != EXRSHIM_FLOAT) {
            converted.emplace_back(samples * size);
            exrshim::convertSamples(channel.plane, channel.pixelType, converted.back().data(), samples);
            base = converted.back().data();
        }
        frame.insert(channel.name, Slice::Make(PixelType(channel.pixelType), base, box.min, width, height, size, size_t(width) * size));
    }
    return frame;
}

/// How many levels besides (0, 0) the part's level mode gives it.
int reducedLevelCount(const TiledOutputPart &out) {
    switch (out.levelMode()) {
    case MIPMAP_LEVELS: return out.numLevels() - 1;
    case RIPMAP_LEVELS: return out.numXLevels() * out.numYLevels() - 1;
    default: return 0;
    }
}

void writeTiled(MultiPartOutputFile &file, int index, const ExrShimPart &part) {
    TiledOutputPart out(file, index);
    const ExrShimTiling &tiling = *part.tiling;
    if (tiling.levelCount != reducedLevelCount(out) || (tiling.levelCount > 0 && tiling.levels == nullptr))
        throw std::invalid_argument(std::string("part ") + part.name + ": " + std::to_string(tiling.levelCount) + " reduced levels given, its level mode has " +
                                    std::to_string(reducedLevelCount(out)));
    std::set<std::pair<int, int>> written;
    auto writeLevel = [&](int lx, int ly, const ExrShimChannel *channels) {
        if (!out.isValidLevel(lx, ly) || !written.insert({lx, ly}).second)
            throw std::invalid_argument(std::string("part ") + part.name + ": level (" + std::to_string(lx) + ", " + std::to_string(ly) +
                                        ") is not one of its levels or is given twice");
        std::vector<std::vector<char>> converted;
        out.setFrameBuffer(frameFor(channels, part.channelCount, out.dataWindowForLevel(lx, ly), converted));
        out.writeTiles(0, out.numXTiles(lx) - 1, 0, out.numYTiles(ly) - 1, lx, ly);
    };
    writeLevel(0, 0, part.channels);
    for (int l = 0; l < tiling.levelCount; ++l) writeLevel(tiling.levels[l].levelX, tiling.levels[l].levelY, tiling.levels[l].channels);
}

void writeScanlines(MultiPartOutputFile &file, int index, const ExrShimPart &part) {
    OutputPart out(file, index);
    const Box2i &dw = out.header().dataWindow();
    std::vector<std::vector<char>> converted;
    out.setFrameBuffer(frameFor(part.channels, part.channelCount, dw, converted));
    out.writePixels(dw.max.y - dw.min.y + 1);
}

/// The plate files parts are copied from, each opened once.
class CopySources {
public:
    MultiPartInputFile &file(const char *path) {
        std::unique_ptr<MultiPartInputFile> &slot = files_[path];
        if (!slot) slot = std::make_unique<MultiPartInputFile>(path);
        return *slot;
    }

    const Header &header(const ExrShimPart &part) {
        MultiPartInputFile &in = file(part.copyFrom);
        if (part.copyPart < 0 || part.copyPart >= in.parts())
            throw std::out_of_range(std::string(part.copyFrom) + " has no part " + std::to_string(part.copyPart));
        return in.header(part.copyPart);
    }

private:
    std::map<std::string, std::unique_ptr<MultiPartInputFile>> files_;
};

/// Copies part `part.copyPart` of its file into part `index` of `out`, every chunk as stored
/// (Imf checks that the headers agree: they are the same header).
void copyPart(MultiPartOutputFile &out, int index, const ExrShimPart &part, CopySources &sources) {
    MultiPartInputFile &file = sources.file(part.copyFrom);
    const std::string type = file.header(part.copyPart).type();
    try {
        if (type == DEEPSCANLINE) {
            DeepScanLineInputPart in(file, part.copyPart);
            DeepScanLineOutputPart(out, index).copyPixels(in);
        } else if (type == DEEPTILE) {
            DeepTiledInputPart in(file, part.copyPart);
            DeepTiledOutputPart(out, index).copyPixels(in);
        } else if (type == TILEDIMAGE) {
            TiledInputPart in(file, part.copyPart);
            TiledOutputPart(out, index).copyPixels(in);
        } else {
            InputPart in(file, part.copyPart);
            OutputPart(out, index).copyPixels(in);
        }
    } catch (const std::exception &e) {
        throw std::runtime_error(std::string("cannot copy part ") + std::to_string(part.copyPart) + " of " + part.copyFrom + ": " + e.what());
    }
}

} // namespace

extern "C" int exrshim_write_parts(const char *path, const ExrShimPart *parts, int partCount, int compression,
                                   float dwaLevel, int threads, char *err, size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        if (partCount < 1) throw std::invalid_argument("no parts to write");
        std::vector<Header> headers;
        CopySources sources;
        for (int p = 0; p < partCount; ++p) {
            const ExrShimPart &part = parts[p];
            const bool named = part.name != nullptr && part.name[0] != 0;
            if (!named && partCount > 1) throw std::invalid_argument("every part of a multi-part file needs a name");
            if (part.copyFrom) {
                headers.push_back(sources.header(part));
                if (named) headers.back().setName(part.name);
                // A single-part file's header may lack the type a multi-part file needs.
                if (!headers.back().hasType()) headers.back().setType(headers.back().hasTileDescription() ? TILEDIMAGE : SCANLINEIMAGE);
                continue;
            }
            Header header = exrshim::makeHeader(part.dataWindow, part.displayWindow, compression, dwaLevel, part.attributes,
                                                part.attributeCount, part.channels, part.channelCount);
            if (named) header.setName(part.name);
            if (const ExrShimTiling *tiling = part.tiling) {
                if (tiling->xSize < 1 || tiling->ySize < 1 || tiling->levelMode < 0 || tiling->levelMode >= NUM_LEVELMODES ||
                    tiling->roundingMode < 0 || tiling->roundingMode >= NUM_ROUNDINGMODES)
                    throw std::invalid_argument(std::string("part ") + part.name + ": bad tile description");
                header.setTileDescription(TileDescription(unsigned(tiling->xSize), unsigned(tiling->ySize), LevelMode(tiling->levelMode),
                                                          LevelRoundingMode(tiling->roundingMode)));
                header.setType(TILEDIMAGE);
            } else {
                header.setType(SCANLINEIMAGE);
            }
            headers.push_back(header);
        }
        MultiPartOutputFile out(path, headers.data(), int(headers.size()), false, exrshim::fileThreads(threads));
        for (int p = 0; p < partCount; ++p) {
            if (parts[p].copyFrom)
                copyPart(out, p, parts[p], sources);
            else if (parts[p].tiling)
                writeTiled(out, p, parts[p]);
            else
                writeScanlines(out, p, parts[p]);
        }
    });
}
