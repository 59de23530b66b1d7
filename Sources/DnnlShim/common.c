#include "common.h"
#include "dnnlshim.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static dnnl_engine_t engine;
static pthread_once_t started = PTHREAD_ONCE_INIT;
static dnnl_status_t start_status = dnnl_success;
static void (*omp_set_threads)(int);
static int wanted_threads;

static void start(void) {
    start_status = dnnl_engine_create(&engine, dnnl_cpu, 0);
    // The OpenMP runtime comes with libdnnl; look the call up there rather than link libgomp.
    omp_set_threads = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
}

dnnl_engine_t dnnlshim_engine(char *err, size_t errlen) {
    pthread_once(&started, start);
    if (start_status == dnnl_success) return engine;
    dnnlshim_say(err, errlen, "oneDNN: no CPU engine (status %d)", (int)start_status);
    return NULL;
}

void dnnlshim_set_threads(int threads) { wanted_threads = threads; }

void dnnlshim_apply_threads(void) {
    if (omp_set_threads && wanted_threads > 0) omp_set_threads(wanted_threads);
}

void dnnlshim_say(char *err, size_t errlen, const char *format, ...) {
    if (!err || errlen == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(err, errlen, format, args);
    va_end(args);
}

dnnl_status_t dnnlshim_make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out) {
    *out = NULL;
    if (dnnl_memory_desc_equal(from, to)) return dnnl_success;
    dnnl_primitive_desc_t pd;
    dnnl_status_t status = dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL);
    if (status != dnnl_success) return status;
    status = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return status;
}

dnnl_status_t dnnlshim_run_reorder(dnnl_primitive_t reorder, dnnl_stream_t stream, dnnl_memory_t from, dnnl_memory_t to) {
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return dnnl_primitive_execute(reorder, stream, 2, args);
}

typedef struct {
    void *data;
    size_t size;
} scratch_buffer;
static __thread scratch_buffer scratch[8];

void *dnnlshim_scratch(int which, size_t bytes) {
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

size_t dnnlshim_byte_size(dnnl_memory_t memory) {
    const dnnl_memory_desc_t *md = NULL;
    if (dnnl_memory_get_memory_desc(memory, &md) != dnnl_success) return 0;
    return dnnl_memory_desc_get_size(md);
}

static dnnl_status_t descs_init(dnnlshim_descs *d, int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh,
                                int64_t kw, int64_t stride, int64_t dilation, const int64_t padding[4], int64_t groups) {
    const int64_t ho = (h + padding[0] + padding[2] - ((kh - 1) * dilation + 1)) / stride + 1;
    const int64_t wo = (w + padding[1] + padding[3] - ((kw - 1) * dilation + 1)) / stride + 1;
    d->strides[0] = d->strides[1] = stride;
    d->dilates[0] = d->dilates[1] = dilation - 1;
    d->pad_l[0] = padding[0], d->pad_l[1] = padding[1];
    d->pad_r[0] = padding[2], d->pad_r[1] = padding[3];
    dnnl_dims_t src_dims = {n, c, h, w}, dst_dims = {n, o, ho, wo}, bias_dims = {o};
    dnnl_status_t s;
    if ((s = dnnl_memory_desc_init_by_tag(&d->src_any, 4, src_dims, dnnl_f32, dnnl_format_tag_any))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&d->dst_any, 4, dst_dims, dnnl_f32, dnnl_format_tag_any))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&d->src_user, 4, src_dims, dnnl_f32, dnnl_nchw))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&d->dst_user, 4, dst_dims, dnnl_f32, dnnl_nchw))) return s;
    if ((s = dnnl_memory_desc_init_by_tag(&d->bias, 1, bias_dims, dnnl_f32, dnnl_x))) return s;
    if (groups == 1) {
        dnnl_dims_t weight_dims = {o, c, kh, kw};
        if ((s = dnnl_memory_desc_init_by_tag(&d->weights_any, 4, weight_dims, dnnl_f32, dnnl_format_tag_any))) return s;
        return dnnl_memory_desc_init_by_tag(&d->weights_user, 4, weight_dims, dnnl_f32, dnnl_oihw);
    }
    dnnl_dims_t weight_dims = {groups, o / groups, c / groups, kh, kw};
    if ((s = dnnl_memory_desc_init_by_tag(&d->weights_any, 5, weight_dims, dnnl_f32, dnnl_format_tag_any))) return s;
    return dnnl_memory_desc_init_by_tag(&d->weights_user, 5, weight_dims, dnnl_f32, dnnl_goihw);
}

dnnl_engine_t dnnlshim_prepare(dnnlshim_descs *d, int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh,
                               int64_t kw, int64_t stride, int64_t dilation, const int64_t padding[4], int64_t groups,
                               char *err, size_t errlen) {
    dnnl_engine_t engine = dnnlshim_engine(err, errlen);
    if (!engine) return NULL;
    if (groups < 1 || c % groups || o % groups || stride < 1 || dilation < 1) {
        dnnlshim_say(err, errlen, "oneDNN: bad convolution sizes");
        return NULL;
    }
    dnnl_status_t status = descs_init(d, n, c, h, w, o, kh, kw, stride, dilation, padding, groups);
    if (status != dnnl_success) {
        dnnlshim_say(err, errlen, "oneDNN: memory descriptors failed with status %d", (int)status);
        return NULL;
    }
    return engine;
}

dnnl_status_t dnnlshim_operand_init(dnnlshim_operand *op, dnnl_engine_t engine, const dnnl_memory_desc_t *plain,
                                    const dnnl_memory_desc_t *inner, int input, int scratch) {
    dnnl_status_t s;
    op->scratch = scratch;
    if ((s = dnnl_memory_create(&op->plain, plain, engine, DNNL_MEMORY_NONE))) return s;
    if ((s = dnnl_memory_create(&op->inner, inner, engine, DNNL_MEMORY_NONE))) return s;
    return input ? dnnlshim_make_reorder(plain, inner, &op->reorder) : dnnlshim_make_reorder(inner, plain, &op->reorder);
}

dnnl_status_t dnnlshim_operand_bind(dnnlshim_operand *op, void *buffer, dnnl_memory_t *use) {
    dnnl_status_t s;
    if ((s = dnnl_memory_set_data_handle(op->plain, buffer))) return s;
    if (!op->reorder) {
        *use = op->plain;
        return dnnl_success;
    }
    void *inner = dnnlshim_scratch(op->scratch, dnnlshim_byte_size(op->inner));
    if (!inner) return dnnl_out_of_memory;
    if ((s = dnnl_memory_set_data_handle(op->inner, inner))) return s;
    *use = op->inner;
    return dnnl_success;
}

dnnl_status_t dnnlshim_operand_load(dnnlshim_operand *op, dnnl_stream_t stream, dnnl_memory_t use) {
    return op->reorder ? dnnlshim_run_reorder(op->reorder, stream, op->plain, use) : dnnl_success;
}

dnnl_status_t dnnlshim_operand_store(dnnlshim_operand *op, dnnl_stream_t stream, dnnl_memory_t use) {
    return op->reorder ? dnnlshim_run_reorder(op->reorder, stream, use, op->plain) : dnnl_success;
}

void dnnlshim_operand_free(dnnlshim_operand *op) {
    if (op->reorder) dnnl_primitive_destroy(op->reorder);
    if (op->plain) dnnl_memory_destroy(op->plain);
    if (op->inner) dnnl_memory_destroy(op->inner);
}
