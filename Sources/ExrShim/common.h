// Internal helpers shared by the shim's translation units (the exception guard of its C entry
// points is every shim's: ShimSupport's shimsupport::guarded).
#pragma once
#include <ImfCompression.h>
#include <ImfThreading.h>
#include <mutex>

namespace exrshim {

/// Imf's per-file thread count for `threads` workers: 0 keeps all work on the calling thread;
/// more than one needs a global pool at least that large (it only ever grows).
inline int fileThreads(int threads) {
    if (threads <= 1) return 0;
    static std::mutex lock;
    std::lock_guard<std::mutex> guard(lock);
    if (Imf::globalThreadCount() < threads) Imf::setGlobalThreadCount(threads);
    return threads;
}

/// Scan lines per chunk of a scanline file with compression `c`.
inline int linesPerChunk(Imf::Compression c) {
    switch (c) {
    case Imf::ZIP_COMPRESSION: case Imf::PXR24_COMPRESSION: return 16;
    case Imf::PIZ_COMPRESSION: case Imf::B44_COMPRESSION: case Imf::B44A_COMPRESSION: case Imf::DWAA_COMPRESSION: return 32;
    case Imf::DWAB_COMPRESSION: return 256;
    default: return 1;
    }
}

} // namespace exrshim
