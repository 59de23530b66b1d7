// Sample conversions between planar Float32 and the file's types: both writers (write.cpp,
// write_uncompressed.cpp) and the uncompressed reader (read_uncompressed.cpp).
#pragma once
#include "exrshim.h"
#include <cstddef>
#include <cstdint>

namespace exrshim {

/// Float32 to half bits, round to nearest even (F16C where the CPU has it).
void floatToHalf(const float *src, uint16_t *dst, size_t n);

/// Float32 to uint32: rounded, clamped to [0, 2^32 - 1], NaN and negatives to 0.
void floatToUint(const float *src, uint32_t *dst, size_t n);

/// Little-endian half samples (any alignment) to Float32, exactly; F16C where the CPU has it.
void halfToFloat(const void *src, float *dst, size_t n);

/// Converts `n` samples of `pixelType` at `src` (any alignment) to Float32.
void convertToFloat(const void *src, int pixelType, float *dst, size_t n);

/// Bytes per sample of an EXRSHIM_* pixel type; throws for anything else.
size_t sampleBytes(int pixelType, const char *channelName);

/// The exact samples of a uint channel given as uint (ExrShimChannel::uintPlane), else nullptr.
inline const uint32_t *exactUintPlane(const ExrShimChannel &channel) {
    return channel.pixelType == EXRSHIM_UINT ? channel.uintPlane : nullptr;
}

/// Converts `n` samples of `src` to `pixelType` at `dst` (float is copied).
void convertSamples(const float *src, int pixelType, void *dst, size_t n);

} // namespace exrshim
