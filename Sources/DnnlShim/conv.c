// oneDNN convolution forward for Neural's Conv2d (see dnnlshim.h).
#include "dnnlshim.h"
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dnnlshim_conv {
    pthread_mutex_t lock;
    dnnl_stream_t stream;  // one per object: oneDNN streams are not shared between threads
    dnnl_primitive_t conv;
    dnnl_primitive_t src_reorder;  // NCHW -> the primitive's layout; NULL when they are the same
    dnnl_primitive_t dst_reorder;  // the primitive's layout -> NCHW; NULL when the same
    dnnl_memory_t user_src, user_dst, src, dst, weights, bias;
    char implementation[64];
};

static dnnl_engine_t engine;
static pthread_once_t started = PTHREAD_ONCE_INIT;
static dnnl_status_t start_status = dnnl_success;
// OpenMP's thread count is per calling thread, so it is set before every call.
static void (*omp_set_threads)(int);
static int wanted_threads;

static void start(void) {
    start_status = dnnl_engine_create(&engine, dnnl_cpu, 0);
    // The OpenMP runtime comes with libdnnl; look the call up there rather than link libgomp.
    omp_set_threads = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
}

static void say(char *err, size_t errlen, const char *format, ...) {
    if (!err || errlen == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(err, errlen, format, args);
    va_end(args);
}

#define TRY(call)                                                                     \
    do {                                                                              \
        dnnl_status_t status_ = (call);                                               \
        if (status_ != dnnl_success) {                                                \
            say(err, errlen, "oneDNN: %s failed with status %d", #call, (int)status_); \
            goto fail;                                                                \
        }                                                                             \
    } while (0)

/// A reorder primitive from `from` to `to`, or NULL when the layouts are equal.
static dnnl_status_t make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out) {
    *out = NULL;
    if (dnnl_memory_desc_equal(from, to)) return dnnl_success;
    dnnl_primitive_desc_t pd;
    dnnl_status_t status = dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL);
    if (status != dnnl_success) return status;
    status = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return status;
}

static dnnl_status_t run_reorder(dnnl_primitive_t reorder, dnnl_stream_t stream, dnnl_memory_t from, dnnl_memory_t to) {
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return dnnl_primitive_execute(reorder, stream, 2, args);
}

dnnlshim_conv *dnnlshim_conv_create(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh, int64_t kw,
                                    int64_t stride, int64_t dilation, const int64_t padding[4], int64_t groups,
                                    const float *weight, const float *bias, char *err, size_t errlen) {
    pthread_once(&started, start);
    if (start_status != dnnl_success) {
        say(err, errlen, "oneDNN: no CPU engine (status %d)", (int)start_status);
        return NULL;
    }
    if (groups < 1 || c % groups || o % groups || stride < 1 || dilation < 1) {
        say(err, errlen, "oneDNN: bad convolution sizes");
        return NULL;
    }
    const int64_t ho = (h + padding[0] + padding[2] - ((kh - 1) * dilation + 1)) / stride + 1;
    const int64_t wo = (w + padding[1] + padding[3] - ((kw - 1) * dilation + 1)) / stride + 1;
    dnnlshim_conv *self = calloc(1, sizeof *self);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_t user_weights = NULL;
    dnnl_primitive_t weight_reorder = NULL;
    if (!self) {
        say(err, errlen, "oneDNN: out of memory");
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    TRY(dnnl_stream_create(&self->stream, engine, dnnl_stream_default_flags));

    dnnl_dims_t src_dims = {n, c, h, w}, dst_dims = {n, o, ho, wo}, bias_dims = {o};
    dnnl_dims_t strides = {stride, stride}, dilates = {dilation - 1, dilation - 1};
    dnnl_dims_t pad_l = {padding[0], padding[1]}, pad_r = {padding[2], padding[3]};
    dnnl_memory_desc_t src_any, weights_any, bias_md, dst_any, src_user, dst_user, weights_user;
    TRY(dnnl_memory_desc_init_by_tag(&src_any, 4, src_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&dst_any, 4, dst_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&src_user, 4, src_dims, dnnl_f32, dnnl_nchw));
    TRY(dnnl_memory_desc_init_by_tag(&dst_user, 4, dst_dims, dnnl_f32, dnnl_nchw));
    TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x));
    if (groups == 1) {
        dnnl_dims_t weight_dims = {o, c, kh, kw};
        TRY(dnnl_memory_desc_init_by_tag(&weights_any, 4, weight_dims, dnnl_f32, dnnl_format_tag_any));
        TRY(dnnl_memory_desc_init_by_tag(&weights_user, 4, weight_dims, dnnl_f32, dnnl_oihw));
    } else {
        dnnl_dims_t weight_dims = {groups, o / groups, c / groups, kh, kw};
        TRY(dnnl_memory_desc_init_by_tag(&weights_any, 5, weight_dims, dnnl_f32, dnnl_format_tag_any));
        TRY(dnnl_memory_desc_init_by_tag(&weights_user, 5, weight_dims, dnnl_f32, dnnl_goihw));
    }
    dnnl_convolution_desc_t desc;
    TRY(dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &src_any,
                                                   &weights_any, bias ? &bias_md : NULL, &dst_any, strides, dilates,
                                                   pad_l, pad_r));
    TRY(dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL));
    const char *name = NULL;
    TRY(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name));
    snprintf(self->implementation, sizeof self->implementation, "%s", name ? name : "?");

    const dnnl_memory_desc_t *src_md = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *dst_md = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *weights_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    TRY(dnnl_primitive_create(&self->conv, pd));
    TRY(make_reorder(&src_user, src_md, &self->src_reorder));
    TRY(make_reorder(dst_md, &dst_user, &self->dst_reorder));
    // The user buffers are attached per call, the blocked ones come from the calling thread's scratch.
    TRY(dnnl_memory_create(&self->user_src, &src_user, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&self->user_dst, &dst_user, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&self->src, src_md, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&self->dst, dst_md, engine, DNNL_MEMORY_NONE));
    TRY(dnnl_memory_create(&self->weights, weights_md, engine, DNNL_MEMORY_ALLOCATE));
    TRY(dnnl_memory_create(&user_weights, &weights_user, engine, (void *)weight));
    TRY(make_reorder(&weights_user, weights_md, &weight_reorder));
    if (weight_reorder) {
        TRY(run_reorder(weight_reorder, self->stream, user_weights, self->weights));
        TRY(dnnl_stream_wait(self->stream));
    } else {
        void *data = NULL;
        TRY(dnnl_memory_get_data_handle(self->weights, &data));
        memcpy(data, weight, (size_t)(o * (c / groups) * kh * kw) * sizeof(float));
    }
    if (bias) {
        void *data = NULL;
        TRY(dnnl_memory_create(&self->bias, &bias_md, engine, DNNL_MEMORY_ALLOCATE));
        TRY(dnnl_memory_get_data_handle(self->bias, &data));
        memcpy(data, bias, (size_t)o * sizeof(float));
    }
    if (weight_reorder) dnnl_primitive_destroy(weight_reorder);
    dnnl_memory_destroy(user_weights);
    dnnl_primitive_desc_destroy(pd);
    return self;

fail:
    if (weight_reorder) dnnl_primitive_destroy(weight_reorder);
    if (user_weights) dnnl_memory_destroy(user_weights);
    if (pd) dnnl_primitive_desc_destroy(pd);
    dnnlshim_conv_free(self);
    return NULL;
}

static size_t byte_size(dnnl_memory_t memory) {
    const dnnl_memory_desc_t *md = NULL;
    if (dnnl_memory_get_memory_desc(memory, &md) != dnnl_success) return 0;
    return dnnl_memory_desc_get_size(md);
}

/// Per-thread scratch for the blocked copies of input and output, kept between calls: allocating
/// (and first touching) tens of MB per call cost more than the reorders themselves at 256 px.
/// It grows to the largest layer a thread has run (64 MB each at 512 px x 64 channels).
typedef struct {
    void *data;
    size_t size;
} scratch_buffer;
static __thread scratch_buffer scratch[2];

static void *scratch_for(int which, size_t bytes) {
    scratch_buffer *buffer = &scratch[which];
    if (buffer->size < bytes) {
        free(buffer->data);
        buffer->size = 0;
        buffer->data = aligned_alloc(64, (bytes + 63) / 64 * 64);
        if (!buffer->data) return NULL;
        buffer->size = bytes;
    }
    return buffer->data;
}

int dnnlshim_conv_forward(dnnlshim_conv *self, const float *src, float *dst, char *err, size_t errlen) {
    int result = -1;
    pthread_mutex_lock(&self->lock);
    if (omp_set_threads && wanted_threads > 0) omp_set_threads(wanted_threads);
    TRY(dnnl_memory_set_data_handle(self->user_src, (void *)src));
    TRY(dnnl_memory_set_data_handle(self->user_dst, dst));
    if (self->src_reorder) {
        void *blocked = scratch_for(0, byte_size(self->src));
        if (!blocked) { say(err, errlen, "oneDNN: out of memory"); goto fail; }
        TRY(dnnl_memory_set_data_handle(self->src, blocked));
        TRY(run_reorder(self->src_reorder, self->stream, self->user_src, self->src));
    } else {
        TRY(dnnl_memory_set_data_handle(self->src, (void *)src));
    }
    if (self->dst_reorder) {
        void *blocked = scratch_for(1, byte_size(self->dst));
        if (!blocked) { say(err, errlen, "oneDNN: out of memory"); goto fail; }
        TRY(dnnl_memory_set_data_handle(self->dst, blocked));
    } else {
        TRY(dnnl_memory_set_data_handle(self->dst, dst));
    }
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, self->src}, {DNNL_ARG_WEIGHTS, self->weights}, {DNNL_ARG_DST, self->dst},
                               {DNNL_ARG_BIAS, self->bias}};
    TRY(dnnl_primitive_execute(self->conv, self->stream, self->bias ? 4 : 3, args));
    if (self->dst_reorder) TRY(run_reorder(self->dst_reorder, self->stream, self->dst, self->user_dst));
    TRY(dnnl_stream_wait(self->stream));
    result = 0;
fail:
    pthread_mutex_unlock(&self->lock);
    return result;
}

const char *dnnlshim_conv_implementation(const dnnlshim_conv *self) { return self->implementation; }

void dnnlshim_conv_free(dnnlshim_conv *self) {
    if (!self) return;
    dnnl_primitive_t primitives[] = {self->conv, self->src_reorder, self->dst_reorder};
    for (size_t i = 0; i < 3; ++i)
        if (primitives[i]) dnnl_primitive_destroy(primitives[i]);
    dnnl_memory_t memories[] = {self->user_src, self->user_dst, self->src, self->dst, self->weights, self->bias};
    for (size_t i = 0; i < 6; ++i)
        if (memories[i]) dnnl_memory_destroy(memories[i]);
    if (self->stream) dnnl_stream_destroy(self->stream);
    pthread_mutex_destroy(&self->lock);
    free(self);
}

void dnnlshim_set_threads(int threads) { wanted_threads = threads; }
