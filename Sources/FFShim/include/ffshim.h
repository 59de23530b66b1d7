// FFmpeg macros that do not import into Swift, exposed as functions.
#pragma once
#include <stdint.h>
int ffshim_eagain(void);
int ffshim_averror_eof(void);
int64_t ffshim_nopts_value(void);
/// Writes FFmpeg's message for `err` into `buf` (NUL-terminated).
void ffshim_error_string(int err, char *buf, int len);
