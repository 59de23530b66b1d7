// Benchmark baseline: OpenEXR's own RgbaInputFile / RgbaOutputFile on native half buffers, the
// floor that PlateIO's planar Float32 path is compared against (Benchmarks/ExrBenchmark.swift).
#include "../ExrShim/common.h"
#include <shimsupport.h>
#include "exrbenchshim.h"
#include <ImfArray.h>
#include <ImfInputFile.h>
#include <ImfRgbaFile.h>
#include <openexr.h>
#include <vector>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

using namespace Imf;
using Imath::Box2i;

struct ExrShimRgbaImage {
    int width = 0, height = 0;
    Array2D<Rgba> pixels;
};

extern "C" ExrShimRgbaImage *exrshim_rgba_load(const char *path, int threads, char *err, size_t errlen) {
    ExrShimRgbaImage *image = nullptr;
    shimsupport::guarded(err, errlen, [&] {
        RgbaInputFile in(path, exrshim::fileThreads(threads));
        const Box2i dw = in.dataWindow();
        auto *loaded = new ExrShimRgbaImage;
        loaded->width = dw.max.x - dw.min.x + 1;
        loaded->height = dw.max.y - dw.min.y + 1;
        loaded->pixels.resizeErase(loaded->height, loaded->width);
        in.setFrameBuffer(&loaded->pixels[0][0] - dw.min.x - dw.min.y * loaded->width, 1, loaded->width);
        try {
            in.readPixels(dw.min.y, dw.max.y);
        } catch (...) {
            delete loaded;
            throw;
        }
        image = loaded;
    });
    return image;
}

// A NONE file's scan lines as OpenEXR hands them over raw (rawPixelData), copied into the caller's
// frame buffer in the file's own half layout: the floor under read_uncompressed.cpp, which
// converts the same bytes into Float32 planes.
extern "C" int exrshim_read_raw_scanlines(const char *path, void *frame, size_t capacity, char *err, size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        InputFile in(path);
        const Box2i dw = in.header().dataWindow();
        size_t used = 0;
        for (int y = dw.min.y; y <= dw.max.y; ++y) {
            const char *data = nullptr;
            int size = 0;
            in.rawPixelData(y, data, size);
            if (size < 0 || used + size_t(size) > capacity) throw std::runtime_error("frame buffer too small");
            std::memcpy(static_cast<char *>(frame) + used, data, size_t(size));
            used += size_t(size);
        }
    });
}

extern "C" ExrShimRgbaImage *exrshim_rgba_synthetic(int width, int height) {
    auto *image = new ExrShimRgbaImage;
    image->width = width;
    image->height = height;
    image->pixels.resizeErase(height, width);
    uint32_t seed = 12345;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            seed = seed * 1664525u + 1013904223u;
            const float grain = (float(seed >> 8) / 16777216.0f - 0.5f) * 0.02f;
            const float u = float(x) / width, v = float(y) / height;
            const float wave = 0.25f * std::sin(u * 40.0f) * std::cos(v * 25.0f);
            image->pixels[y][x] = Rgba(u + wave + grain, v + grain, 0.5f * (u + v) - wave + grain, 1.0f);
        }
    }
    return image;
}

extern "C" int exrshim_rgba_save(const ExrShimRgbaImage *image, const char *path, int compression, int threads,
                                 char *err, size_t errlen) {
    return shimsupport::guarded(err, errlen, [&] {
        RgbaOutputFile out(path, image->width, image->height, WRITE_RGBA, 1, Imath::V2f(0, 0), 1, INCREASING_Y,
                           Compression(compression), exrshim::fileThreads(threads));
        out.setFrameBuffer(&image->pixels[0][0], 1, image->width);
        out.writePixels(image->height);
    });
}

// The same NONE file through OpenEXR's C core: each scan line's A, B, G, R samples gathered from
// the interleaved half pixels into one chunk, the floor for how write_uncompressed.cpp writes.
extern "C" int exrshim_rgba_save_uncompressed_core(const ExrShimRgbaImage *image, const char *path, char *err,
                                                   size_t errlen) {
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    exr_context_t file = nullptr;
    int part = 0;
    exr_result_t result = exr_start_write(&file, path, EXR_WRITE_FILE_DIRECTLY, &init);
    if (result == EXR_ERR_SUCCESS) result = exr_add_part(file, nullptr, EXR_STORAGE_SCANLINE, &part);
    if (result == EXR_ERR_SUCCESS)
        result = exr_initialize_required_attr_simple(file, part, image->width, image->height, EXR_COMPRESSION_NONE);
    for (const char *name : {"A", "B", "G", "R"})
        if (result == EXR_ERR_SUCCESS) result = exr_add_channel(file, part, name, EXR_PIXEL_HALF, EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1);
    if (result == EXR_ERR_SUCCESS) result = exr_write_header(file);
    std::vector<uint16_t> line(size_t(image->width) * 4);
    const size_t w = size_t(image->width);
    for (int y = 0; y < image->height && result == EXR_ERR_SUCCESS; ++y) {
        const Rgba *row = &image->pixels[y][0];
        for (size_t x = 0; x < w; ++x) {
            line[x] = row[x].a.bits();
            line[w + x] = row[x].b.bits();
            line[2 * w + x] = row[x].g.bits();
            line[3 * w + x] = row[x].r.bits();
        }
        result = exr_write_scanline_chunk(file, part, y, line.data(), line.size() * sizeof(uint16_t));
    }
    const exr_result_t finished = file != nullptr ? exr_finish(&file) : EXR_ERR_SUCCESS;
    if (result == EXR_ERR_SUCCESS) result = finished;
    if (result == EXR_ERR_SUCCESS) return 0;
    shimsupport::setError(err, errlen, exr_get_default_error_message(result));
    return -1;
}

extern "C" void exrshim_rgba_free(ExrShimRgbaImage *image) { delete image; }
