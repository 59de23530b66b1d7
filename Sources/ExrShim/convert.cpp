#include "convert.h"
#include "exrshim.h"
#include <half.h>
#include <cmath>
#include <cstring>
#include <immintrin.h>
#include <stdexcept>
#include <string>

namespace exrshim {
namespace {

__attribute__((target("avx,f16c"))) void floatToHalfF16C(const float *src, uint16_t *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i packed = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), packed);
    }
    for (; i < n; ++i) dst[i] = half(src[i]).bits();
}

float halfBitsAt(const char *src, size_t i) {
    uint16_t bits;
    std::memcpy(&bits, src + i * 2, 2);
    half h;
    h.setBits(bits);
    return float(h);
}

__attribute__((target("avx,f16c"))) void halfToFloatF16C(const char *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i * 2))));
    for (; i < n; ++i) dst[i] = halfBitsAt(src, i);
}

bool hasF16C() {
    static const bool available = __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
    return available;
}

} // namespace

void halfToFloat(const void *src, float *dst, size_t n) {
    const char *bytes = static_cast<const char *>(src);
    if (hasF16C()) {
        halfToFloatF16C(bytes, dst, n);
        return;
    }
    for (size_t i = 0; i < n; ++i) dst[i] = halfBitsAt(bytes, i);
}

void convertToFloat(const void *src, int pixelType, float *dst, size_t n) {
    switch (pixelType) {
    case EXRSHIM_HALF: halfToFloat(src, dst, n); break;
    case EXRSHIM_UINT: {
        const char *bytes = static_cast<const char *>(src);
        for (size_t i = 0; i < n; ++i) {
            uint32_t value;
            std::memcpy(&value, bytes + i * 4, 4);
            dst[i] = float(value);
        }
        break;
    }
    default: std::memcpy(dst, src, n * sizeof(float)); break;
    }
}

void floatToHalf(const float *src, uint16_t *dst, size_t n) {
    if (hasF16C()) {
        floatToHalfF16C(src, dst, n);
    } else {
        for (size_t i = 0; i < n; ++i) dst[i] = half(src[i]).bits();
    }
}

void floatToUint(const float *src, uint32_t *dst, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        const float v = src[i];
        dst[i] = !(v > 0) ? 0u : v >= 4294967295.0f ? 0xFFFFFFFFu : uint32_t(std::lround(v));
    }
}

size_t sampleBytes(int pixelType, const char *channelName) {
    switch (pixelType) {
    case EXRSHIM_HALF: return 2;
    case EXRSHIM_FLOAT: case EXRSHIM_UINT: return 4;
    default: throw std::invalid_argument(std::string("bad pixel type for channel ") + channelName);
    }
}

void convertSamples(const float *src, int pixelType, void *dst, size_t n) {
    switch (pixelType) {
    case EXRSHIM_HALF: floatToHalf(src, static_cast<uint16_t *>(dst), n); break;
    case EXRSHIM_UINT: floatToUint(src, static_cast<uint32_t *>(dst), n); break;
    default: std::memcpy(dst, src, n * sizeof(float)); break;
    }
}

} // namespace exrshim
