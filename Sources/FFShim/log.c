// FFmpeg's log lines, rewritten to plateswap's stderr format ("plateswap: ffmpeg: png: reason").
// FFmpeg may log a line in fragments and from its own threads: fragments are gathered under a
// lock and each finished line is written at once, so lines never interleave.
#include "ffshim.h"
#include <libavutil/log.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char pending[2048];
static size_t pendingLength = 0;

static void flushPending(void) {
    if (pendingLength == 0) return;
    fprintf(stderr, "plateswap: ffmpeg: %.*s\n", (int)pendingLength, pending);
    fflush(stderr);
    pendingLength = 0;
}

static void appendPending(const char *text, size_t length) {
    const size_t room = sizeof(pending) - 1 - pendingLength;
    const size_t count = length < room ? length : room;
    memcpy(pending + pendingLength, text, count);
    pendingLength += count;
}

static void routeLine(void *object, int level, const char *format, va_list arguments) {
    if (level > av_log_get_level()) return;
    char message[1024];
    vsnprintf(message, sizeof(message), format, arguments);
    pthread_mutex_lock(&lock);
    if (pendingLength == 0 && object != NULL) {
        // The component that speaks (png, mov, h264), without FFmpeg's "@ 0x..." address.
        const AVClass *component = *(const AVClass **)object;
        if (component != NULL && component->item_name != NULL) {
            const char *name = component->item_name(object);
            appendPending(name, strlen(name));
            appendPending(": ", 2);
        }
    }
    // Each line of the message ends a log line; the rest waits for the next fragment.
    const char *start = message;
    for (const char *newline = strchr(start, '\n'); newline != NULL; newline = strchr(start, '\n')) {
        appendPending(start, (size_t)(newline - start));
        flushPending();
        start = newline + 1;
    }
    appendPending(start, strlen(start));
    pthread_mutex_unlock(&lock);
}

void ffshim_route_logs(int level) {
    av_log_set_level(level);
    av_log_set_callback(routeLine);
}
