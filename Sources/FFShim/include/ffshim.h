// FFmpeg macros that do not import into Swift, exposed as functions, and FFmpeg's log routing.
#pragma once
#include <stdint.h>
int ffshim_eagain(void);
int ffshim_averror_eof(void);
int64_t ffshim_nopts_value(void);
/// Writes FFmpeg's message for `err` into `buf` (NUL-terminated).
void ffshim_error_string(int err, char *buf, int len);
/// Keeps FFmpeg's log lines at or below `level` (AV_LOG_*) and writes them to stderr as
/// "plateswap: ffmpeg: COMPONENT: message" (log.c).
void ffshim_route_logs(int level);
