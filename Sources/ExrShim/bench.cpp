// Benchmark baseline: OpenEXR's own RgbaInputFile / RgbaOutputFile on native half buffers, the
// floor that PlateIO's planar Float32 path is compared against (Benchmarks/ExrBenchmark.swift).
#include "common.h"
#include "exrshim.h"
#include <ImfArray.h>
#include <ImfRgbaFile.h>
#include <cmath>
#include <cstdint>

using namespace Imf;
using Imath::Box2i;

struct ExrShimRgbaImage {
    int width = 0, height = 0;
    Array2D<Rgba> pixels;
};

extern "C" ExrShimRgbaImage *exrshim_rgba_load(const char *path, int threads, char *err, size_t errlen) {
    ExrShimRgbaImage *image = nullptr;
    exrshim::guarded(err, errlen, [&] {
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
    return exrshim::guarded(err, errlen, [&] {
        RgbaOutputFile out(path, image->width, image->height, WRITE_RGBA, 1, Imath::V2f(0, 0), 1, INCREASING_Y,
                           Compression(compression), exrshim::fileThreads(threads));
        out.setFrameBuffer(&image->pixels[0][0], 1, image->width);
        out.writePixels(image->height);
    });
}

extern "C" void exrshim_rgba_free(ExrShimRgbaImage *image) { delete image; }
