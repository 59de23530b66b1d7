// What every C++ shim does at its C boundary: no C++ exception may cross into Swift, so each
// entry point runs its body through `shimsupport::guarded`, which turns any exception into an
// error message in the caller's buffer. Header only; C and Swift see nothing of it.
#pragma once
#ifdef __cplusplus
#include <cstddef>
#include <cstdio>
#include <exception>
#include <new>

namespace shimsupport {

/// Copies `message` into the caller's error buffer (always NUL-terminated).
inline void setError(char *err, size_t errlen, const char *message) {
    if (err == nullptr || errlen == 0) return;
    std::snprintf(err, errlen, "%s", message);
}

/// Runs `body` and returns what it returns; a C++ exception becomes a message in `err` and
/// `failure` is returned instead.
template <class T, class Body> T guarded(char *err, size_t errlen, T failure, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        setError(err, errlen, "out of memory");
    } catch (const std::exception &e) {
        setError(err, errlen, e.what());
    } catch (...) {
        setError(err, errlen, "unknown C++ exception");
    }
    return failure;
}

/// The same for a body that returns nothing: 0 when it ran through, -1 after an exception.
template <class Body> int guarded(char *err, size_t errlen, Body body) {
    return guarded<int>(err, errlen, -1, [&] {
        body();
        return 0;
    });
}

} // namespace shimsupport
#endif
