// oneDNN convolution forward for Neural's Conv2d (see dnnlshim.h).
#include "common.h"
#include "dnnlshim.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY DNNLSHIM_TRY

struct dnnlshim_conv {
    pthread_mutex_t lock;
    dnnl_stream_t stream;          // one per object: oneDNN streams are not shared between threads
    dnnl_primitive_t conv;
    dnnlshim_operand src, dst;     // NCHW in and out, reordered to and from the primitive's layout
    dnnl_memory_t weights, bias;   // in the primitive's layout, filled once
    char implementation[64];
};

dnnlshim_conv *dnnlshim_conv_create(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh, int64_t kw,
                                    int64_t stride, int64_t dilation, const int64_t padding[4], int64_t groups,
                                    const float *weight, const float *bias, char *err, size_t errlen) {
    dnnlshim_descs d;
    dnnl_engine_t engine = dnnlshim_prepare(&d, n, c, h, w, o, kh, kw, stride, dilation, padding, groups, err, errlen);
    if (!engine) return NULL;
    dnnlshim_conv *self = calloc(1, sizeof *self);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_t user_weights = NULL;
    dnnl_primitive_t weight_reorder = NULL;
    if (!self) {
        dnnlshim_say(err, errlen, "oneDNN: out of memory");
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    TRY(dnnl_stream_create(&self->stream, engine, dnnl_stream_default_flags));

    dnnl_convolution_desc_t desc;
    TRY(dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &d.src_any,
                                                   &d.weights_any, bias ? &d.bias : NULL, &d.dst_any, d.strides, d.dilates,
                                                   d.pad_l, d.pad_r));
    TRY(dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL));
    const char *name = NULL;
    TRY(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name));
    snprintf(self->implementation, sizeof self->implementation, "%s", name ? name : "?");

    const dnnl_memory_desc_t *src_md = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *dst_md = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *weights_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    TRY(dnnl_primitive_create(&self->conv, pd));
    // Attached per call; their blocked copies live in the calling thread's scratch buffers 0 and 1.
    TRY(dnnlshim_operand_init(&self->src, engine, &d.src_user, src_md, 1, 0));
    TRY(dnnlshim_operand_init(&self->dst, engine, &d.dst_user, dst_md, 0, 1));
    TRY(dnnl_memory_create(&self->weights, weights_md, engine, DNNL_MEMORY_ALLOCATE));
    TRY(dnnl_memory_create(&user_weights, &d.weights_user, engine, (void *)weight));
    TRY(dnnlshim_make_reorder(&d.weights_user, weights_md, &weight_reorder));
    if (weight_reorder) {
        TRY(dnnlshim_run_reorder(weight_reorder, self->stream, user_weights, self->weights));
        TRY(dnnl_stream_wait(self->stream));
    } else {
        void *data = NULL;
        TRY(dnnl_memory_get_data_handle(self->weights, &data));
        memcpy(data, weight, (size_t)(o * (c / groups) * kh * kw) * sizeof(float));
    }
    if (bias) {
        void *data = NULL;
        TRY(dnnl_memory_create(&self->bias, &d.bias, engine, DNNL_MEMORY_ALLOCATE));
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

int dnnlshim_conv_forward(dnnlshim_conv *self, const float *src, float *dst, char *err, size_t errlen) {
    int result = -1;
    pthread_mutex_lock(&self->lock);
    dnnlshim_apply_threads();
    dnnl_memory_t in, out;
    TRY(dnnlshim_operand_bind(&self->src, (void *)src, &in));
    TRY(dnnlshim_operand_bind(&self->dst, dst, &out));
    TRY(dnnlshim_operand_load(&self->src, self->stream, in));
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, in}, {DNNL_ARG_WEIGHTS, self->weights}, {DNNL_ARG_DST, out},
                               {DNNL_ARG_BIAS, self->bias}};
    TRY(dnnl_primitive_execute(self->conv, self->stream, self->bias ? 4 : 3, args));
    TRY(dnnlshim_operand_store(&self->dst, self->stream, out));
    TRY(dnnl_stream_wait(self->stream));
    result = 0;
fail:
    pthread_mutex_unlock(&self->lock);
    return result;
}

const char *dnnlshim_conv_implementation(const dnnlshim_conv *self) { return self->implementation; }

void dnnlshim_conv_free(dnnlshim_conv *self) {
    if (!self) return;
    if (self->conv) dnnl_primitive_destroy(self->conv);
    dnnlshim_operand_free(&self->src);
    dnnlshim_operand_free(&self->dst);
    if (self->weights) dnnl_memory_destroy(self->weights);
    if (self->bias) dnnl_memory_destroy(self->bias);
    if (self->stream) dnnl_stream_destroy(self->stream);
    pthread_mutex_destroy(&self->lock);
    free(self);
}
