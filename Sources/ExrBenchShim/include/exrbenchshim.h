// The EXR benchmark's baselines (Benchmarks/ExrBenchmark.swift), kept out of ExrShim's production
// API: OpenEXR's own RGBA interface on its native half buffers, raw scan-line reads, and NONE
// writes through OpenEXR's C core. Same conventions as exrshim.h: every entry point catches all
// C++ exceptions and reports them as a message in `err` (a caller buffer of `errlen` bytes);
// functions return 0 on success and -1 on failure.
#pragma once
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct ExrShimRgbaImage ExrShimRgbaImage;
ExrShimRgbaImage *exrshim_rgba_load(const char *path, int threads, char *err, size_t errlen);
/// Reads every scan line of a NONE file raw (InputFile::rawPixelData) into `frame`, as stored.
int exrshim_read_raw_scanlines(const char *path, void *frame, size_t capacity, char *err, size_t errlen);
/// A synthetic RGBA half image (gradients, a sinusoid and grain; alpha 1).
ExrShimRgbaImage *exrshim_rgba_synthetic(int width, int height);
int exrshim_rgba_save(const ExrShimRgbaImage *image, const char *path, int compression, int threads,
                      char *err, size_t errlen);
/// The NONE file through OpenEXR's C core instead of RgbaOutputFile (the floor for NONE writes).
int exrshim_rgba_save_uncompressed_core(const ExrShimRgbaImage *image, const char *path, char *err, size_t errlen);
void exrshim_rgba_free(ExrShimRgbaImage *image);

#ifdef __cplusplus
}
#endif
