// Planar Float32 to the file's sample types, shared by both writers (write.cpp, write_uncompressed.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

namespace exrshim {

/// Float32 to half bits, round to nearest even (F16C where the CPU has it).
void floatToHalf(const float *src, uint16_t *dst, size_t n);

/// Float32 to uint32: rounded, clamped to [0, 2^32 - 1], NaN and negatives to 0.
void floatToUint(const float *src, uint32_t *dst, size_t n);

/// Bytes per sample of an EXRSHIM_* pixel type; throws for anything else.
size_t sampleBytes(int pixelType, const char *channelName);

/// Converts `n` samples of `src` to `pixelType` at `dst` (float is copied).
void convertSamples(const float *src, int pixelType, void *dst, size_t n);

} // namespace exrshim
