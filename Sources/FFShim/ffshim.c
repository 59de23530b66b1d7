#include "ffshim.h"
#include <errno.h>
#include <libavutil/error.h>
#include <libavutil/avutil.h>

int ffshim_eagain(void) { return AVERROR(EAGAIN); }
int ffshim_averror_eof(void) { return AVERROR_EOF; }
int64_t ffshim_nopts_value(void) { return AV_NOPTS_VALUE; }
void ffshim_error_string(int err, char *buf, int len) { av_make_error_string(buf, (size_t)len, err); }
