#include "coalescing_file.h"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace exrshim {

CoalescingFile::CoalescingFile(const char *path) : path_(path), gathered_(size_t(1) << 20) {
    fd_ = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) throw std::runtime_error(std::string("cannot create ") + path + ": " + std::strerror(errno));
}

CoalescingFile::~CoalescingFile() {
    if (fd_ >= 0) ::close(fd_);
}

void CoalescingFile::install(exr_context_initializer_t &init) {
    init.user_data = this;
    init.write_fn = &CoalescingFile::write;
}

int64_t CoalescingFile::write(exr_const_context_t context, void *user, const void *buffer, uint64_t size, uint64_t offset,
                              exr_stream_error_func_ptr_t report) {
    auto *file = static_cast<CoalescingFile *>(user);
    bool written = true;
    if (offset != file->gatheredOffset_ + file->gatheredSize_ || file->gatheredSize_ + size > file->gathered_.size()) {
        written = file->flush();
        file->gatheredOffset_ = offset;
    }
    if (written && size > file->gathered_.size()) {
        written = file->writeAt(buffer, size, offset);
        file->gatheredOffset_ = offset + size;
    } else if (written) {
        std::memcpy(file->gathered_.data() + file->gatheredSize_, buffer, size);
        file->gatheredSize_ += size;
    }
    if (written) return int64_t(size);
    if (report != nullptr) report(context, EXR_ERR_WRITE_IO, "%s", file->failure_.c_str());
    return -1;
}

bool CoalescingFile::flush() {
    const bool written = writeAt(gathered_.data(), gatheredSize_, gatheredOffset_);
    gatheredOffset_ += gatheredSize_;
    gatheredSize_ = 0;
    return written;
}

bool CoalescingFile::writeAt(const void *bytes, uint64_t size, uint64_t offset) {
    const char *next = static_cast<const char *>(bytes);
    while (size > 0) {
        const ssize_t count = ::pwrite(fd_, next, size, off_t(offset));
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) {
            if (failure_.empty()) failure_ = "cannot write " + path_ + ": " + std::strerror(count < 0 ? errno : ENOSPC);
            return false;
        }
        next += count;
        size -= uint64_t(count);
        offset += uint64_t(count);
    }
    return true;
}

void CoalescingFile::close() {
    flush();
    if (fd_ >= 0 && ::close(fd_) != 0 && failure_.empty()) failure_ = "cannot close " + path_ + ": " + std::strerror(errno);
    fd_ = -1;
    if (!failure_.empty()) throw std::runtime_error(failure_);
}

} // namespace exrshim
