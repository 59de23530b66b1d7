// Reading: whole data windows into planar Float32, raw chunk checks, and the RGBA (YC) path.
#include "common.h"
#include <shimsupport.h>
#include "exrshim.h"
#include "read_paths.h"
#include <ImfDeepScanLineInputPart.h>
#include <ImfDeepTiledInputPart.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfPartType.h>
#include <ImfRgbaFile.h>
#include <ImfTiledInputPart.h>
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace Imf;
using Imath::Box2i;

struct ExrShimReader {
    std::unique_ptr<MultiPartInputFile> file;
};

namespace {

const Header &checkedHeader(const ExrShimReader *reader, int part) {
    if (part < 0 || part >= reader->file->parts())
        throw std::out_of_range("no part " + std::to_string(part) + " (file has " +
                                std::to_string(reader->file->parts()) + ")");
    return reader->file->header(part);
}

/// Calls `visit(dx, dy, lx, ly)` for every tile of every level of the tiled part `in`.
template <class Part, class Visit> void forEveryTile(const Part &in, Visit visit) {
    for (int ly = 0; ly < in.numYLevels(); ++ly)
        for (int lx = 0; lx < in.numXLevels(); ++lx)
            if (in.isValidLevel(lx, ly))
                for (int ty = 0; ty < in.numYTiles(ly); ++ty)
                    for (int tx = 0; tx < in.numXTiles(lx); ++tx) visit(tx, ty, lx, ly);
}

void verifyTiles(MultiPartInputFile &file, int part) {
    TiledInputPart in(file, part);
    const char *data = nullptr;
    int size = 0;
    forEveryTile(in, [&](int dx, int dy, int lx, int ly) { in.rawTileData(dx, dy, lx, ly, data, size); });
}

void verifyScanlines(MultiPartInputFile &file, int part, const Header &header) {
    InputPart in(file, part);
    const Box2i dw = header.dataWindow();
    const int lines = exrshim::linesPerChunk(header.compression());
    const char *data = nullptr;
    int size = 0;
    for (int64_t y = dw.min.y; y <= dw.max.y; y += lines) in.rawPixelData(int(y), data, size);
}

// Deep chunks vary in size: ask for the size (no buffer), then read the chunk into one.
void verifyDeepTiles(MultiPartInputFile &file, int part) {
    DeepTiledInputPart in(file, part);
    std::vector<char> buffer;
    forEveryTile(in, [&](int dx, int dy, int lx, int ly) {
        uint64_t size = 0;
        in.rawTileData(dx, dy, lx, ly, nullptr, size);
        buffer.resize(size);
        in.rawTileData(dx, dy, lx, ly, buffer.data(), size);
    });
}

void verifyDeepScanlines(MultiPartInputFile &file, int part, const Header &header) {
    DeepScanLineInputPart in(file, part);
    const Box2i dw = header.dataWindow();
    const int lines = exrshim::linesPerChunk(header.compression());
    std::vector<char> buffer;
    for (int64_t y = dw.min.y; y <= dw.max.y; y += lines) {
        uint64_t size = 0;
        in.rawPixelData(int(y), nullptr, size);
        buffer.resize(size);
        in.rawPixelData(int(y), buffer.data(), size);
    }
}

} // namespace

extern "C" ExrShimReader *exrshim_open(const char *path, int threads, char *err, size_t errlen) {
    ExrShimReader *reader = nullptr;
    shimsupport::guarded(err, errlen, [&] {
        auto file = std::make_unique<MultiPartInputFile>(path, exrshim::fileThreads(threads));
        reader = new ExrShimReader{std::move(file)};
    });
    return reader;
}

extern "C" void exrshim_close(ExrShimReader *reader) {
    try {
        delete reader;
    } catch (...) {
    }
}

extern "C" int exrshim_part_count(const ExrShimReader *reader) { return reader->file->parts(); }

extern "C" int exrshim_read_part(ExrShimReader *reader, int part, const char *const *channels,
                                 float *const *planes, int count, char *err, size_t errlen) {
    std::vector<int> types(size_t(std::max(count, 0)), EXRSHIM_FLOAT);
    int64_t width = 0, height = 0;
    const int opened = shimsupport::guarded(err, errlen, [&] {
        const Box2i dw = checkedHeader(reader, part).dataWindow();
        width = int64_t(dw.max.x) - dw.min.x + 1;
        height = int64_t(dw.max.y) - dw.min.y + 1;
    });
    if (opened != 0) return opened;
    return exrshim_read_level(reader, part, 0, 0, width, height, channels, reinterpret_cast<void *const *>(planes), types.data(),
                              count, err, errlen);
}

extern "C" int exrshim_read_level(ExrShimReader *reader, int part, int levelX, int levelY, int64_t width, int64_t height,
                                  const char *const *channels, void *const *planes, const int *planeTypes, int count, char *err,
                                  size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        const Header &header = checkedHeader(reader, part);
        // The caller sized the planes: a level of another size would write past them.
        auto checkSize = [&](const Box2i &box) {
            if (int64_t(box.max.x) - box.min.x + 1 != width || int64_t(box.max.y) - box.min.y + 1 != height)
                throw std::invalid_argument("level (" + std::to_string(levelX) + ", " + std::to_string(levelY) + ") is not " +
                                            std::to_string(width) + "x" + std::to_string(height));
        };
        for (int i = 0; i < count; ++i)
            if (planeTypes[i] != EXRSHIM_FLOAT && planeTypes[i] != EXRSHIM_UINT)
                throw std::invalid_argument(std::string("bad plane type for channel ") + channels[i]);
        const bool firstLevel = levelX == 0 && levelY == 0;
        if (firstLevel) checkSize(header.dataWindow());
        if (firstLevel && exrshim::isUncompressedScanlinePart(header)) {
            exrshim::readUncompressed(*reader->file, part, header, channels, planes, planeTypes, count);
            return;
        }
        // Slice::Make offsets the base by the window's origin without overflow.
        auto frameFor = [&](const Box2i &box) {
            const int64_t width = int64_t(box.max.x) - box.min.x + 1;
            const int64_t height = int64_t(box.max.y) - box.min.y + 1;
            FrameBuffer frame;
            for (int i = 0; i < count; ++i)
                frame.insert(channels[i], Slice::Make(planeTypes[i] == EXRSHIM_UINT ? UINT : FLOAT, planes[i], box.min, width,
                                                      height, sizeof(float), size_t(width) * sizeof(float)));
            return frame;
        };
        if (firstLevel) {
            // Level 0 of a tiled part too: Imf reads it through its scanline interface.
            InputPart in(*reader->file, part);
            in.setFrameBuffer(frameFor(header.dataWindow()));
            in.readPixels(header.dataWindow().min.y, header.dataWindow().max.y);
            return;
        }
        if (!(isTiled(header.type()) || (!header.hasType() && header.hasTileDescription())))
            throw std::invalid_argument("a scanline part has only level 0");
        TiledInputPart in(*reader->file, part);
        if (!in.isValidLevel(levelX, levelY))
            throw std::out_of_range("no level (" + std::to_string(levelX) + ", " + std::to_string(levelY) + ")");
        checkSize(in.dataWindowForLevel(levelX, levelY));
        in.setFrameBuffer(frameFor(in.dataWindowForLevel(levelX, levelY)));
        in.readTiles(0, in.numXTiles(levelX) - 1, 0, in.numYTiles(levelY) - 1, levelX, levelY);
    });
}

extern "C" int exrshim_verify_chunks(ExrShimReader *reader, int part, char *err, size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        const Header &header = checkedHeader(reader, part);
        if (header.hasType() && header.type() == DEEPTILE)
            verifyDeepTiles(*reader->file, part);
        else if (header.hasType() && header.type() == DEEPSCANLINE)
            verifyDeepScanlines(*reader->file, part, header);
        else if (isTiled(header.type()) || (!header.hasType() && header.hasTileDescription()))
            verifyTiles(*reader->file, part);
        else
            verifyScanlines(*reader->file, part, header);
    });
}

extern "C" int exrshim_read_rgba(const char *path, int threads, float *r, float *g, float *b, float *a,
                                 char *err, size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        RgbaInputFile in(path, exrshim::fileThreads(threads));
        const Box2i dw = in.dataWindow();
        const int64_t width = int64_t(dw.max.x) - dw.min.x + 1;
        const int64_t height = int64_t(dw.max.y) - dw.min.y + 1;
        const size_t count = size_t(width * height);
        std::vector<Rgba> pixels(count);
        // Imf addresses pixels by absolute coordinates: shift the base by the window's origin.
        const intptr_t shift = (intptr_t(dw.min.x) + intptr_t(dw.min.y) * intptr_t(width)) * intptr_t(sizeof(Rgba));
        in.setFrameBuffer(reinterpret_cast<Rgba *>(reinterpret_cast<intptr_t>(pixels.data()) - shift), 1,
                          size_t(width));
        in.readPixels(dw.min.y, dw.max.y);
        for (size_t i = 0; i < count; ++i) {
            r[i] = pixels[i].r;
            g[i] = pixels[i].g;
            b[i] = pixels[i].b;
            if (a) a[i] = pixels[i].a;
        }
    });
}
