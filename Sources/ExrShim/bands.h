// Both writers feed OpenEXR band by band (write.cpp, write_uncompressed.cpp).
#pragma once
#include <cstdint>
#include <thread>

namespace exrshim {

/// Walks rows [0, height) in bands of `bandRows`: `prepare(slot, first, onHelper)` fills a band's
/// buffers (slot 0 or 1), then `consume(slot, first)` hands them to OpenEXR. With `overlap`, the
/// next band is prepared on a helper thread, in the other slot, while this one is consumed; without
/// it everything runs on the calling thread in slot 0.
template <class Prepare, class Consume>
void pipelineBands(int64_t height, int64_t bandRows, bool overlap, Prepare prepare, Consume consume) {
    prepare(0, int64_t(0), false);
    for (int64_t first = 0, index = 0; first < height; first += bandRows, ++index) {
        const int slot = overlap ? int(index & 1) : 0;
        const int64_t next = first + bandRows;
        std::thread helper;
        if (overlap && next < height) helper = std::thread(prepare, 1 - slot, next, true);
        try {
            consume(slot, first);
        } catch (...) {
            if (helper.joinable()) helper.join();
            throw;
        }
        if (helper.joinable()) helper.join();
        else if (!overlap && next < height) prepare(0, next, false);
    }
}

} // namespace exrshim
