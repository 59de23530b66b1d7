// A file for OpenEXR's C core that gathers its small writes into large ones.
#pragma once
#include <openexr.h>
#include <cstdint>
#include <string>
#include <vector>

namespace exrshim {

/// The core writes every scan-line chunk as two pwrite calls (leader, then samples): 4,320 system
/// calls for a 4K frame. Contiguous writes are gathered here and written a megabyte at a time,
/// which halves the time of an uncompressed 4K write (BENCHMARKS.md, "Plate I/O").
class CoalescingFile {
  public:
    /// Opens `path` for writing (created or truncated); throws naming the file on failure.
    explicit CoalescingFile(const char *path);
    CoalescingFile(const CoalescingFile &) = delete;
    ~CoalescingFile();

    /// Hooks for exr_context_initializer_t (user_data is this object).
    void install(exr_context_initializer_t &init);

    /// Writes what is still gathered and closes the file; throws if any write failed.
    void close();

  private:
    static int64_t write(exr_const_context_t, void *user, const void *buffer, uint64_t size, uint64_t offset,
                         exr_stream_error_func_ptr_t report);
    bool flush();
    bool writeAt(const void *bytes, uint64_t size, uint64_t offset);

    std::string path_;
    int fd_ = -1;
    std::vector<char> gathered_;
    uint64_t gatheredOffset_ = 0;
    size_t gatheredSize_ = 0;
    std::string failure_;
};

} // namespace exrshim
