// oneDNN convolution gradients for Neural's Conv2d on the tape (see dnnlshim.h): backward-data and
// backward-weights primitives built once per input shape; the weights are passed per call (they
// change every training step), everything in and out NCHW / OIHW, reordered inside.
#include "common.h"
#include "dnnlshim.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define TRY DNNLSHIM_TRY

struct dnnlshim_conv_backward {
    pthread_mutex_t lock;
    dnnl_stream_t stream;
    dnnl_primitive_t data, weights;
    dnnlshim_operand data_diff_dst, data_weights, data_diff_src;  // backward data
    dnnlshim_operand w_src, w_diff_dst, w_diff_weights;            // backward weights
    dnnl_memory_t diff_bias;                               // plain vector, or NULL without bias
    char implementation[128];
};

dnnlshim_conv_backward *dnnlshim_conv_backward_create(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh,
                                                      int64_t kw, int64_t stride, int64_t dilation,
                                                      const int64_t padding[4], int64_t groups, int has_bias, char *err,
                                                      size_t errlen) {
    dnnlshim_descs d;
    dnnl_engine_t engine = dnnlshim_prepare(&d, n, c, h, w, o, kh, kw, stride, dilation, padding, groups, err, errlen);
    if (!engine) return NULL;
    dnnlshim_conv_backward *self = calloc(1, sizeof *self);
    dnnl_primitive_desc_t forward_pd = NULL, data_pd = NULL, weights_pd = NULL;
    if (!self) {
        dnnlshim_say(err, errlen, "oneDNN: out of memory");
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    TRY(dnnl_stream_create(&self->stream, engine, dnnl_stream_default_flags));

    const dnnl_memory_desc_t *bias = has_bias ? &d.bias : NULL;
    // The backward primitives are chosen with the training forward's as a hint, as oneDNN asks.
    dnnl_convolution_desc_t forward, data, weights;
    TRY(dnnl_dilated_convolution_forward_desc_init(&forward, dnnl_forward_training, dnnl_convolution_direct, &d.src_any,
                                                   &d.weights_any, bias, &d.dst_any, d.strides, d.dilates, d.pad_l, d.pad_r));
    TRY(dnnl_primitive_desc_create(&forward_pd, &forward, NULL, engine, NULL));
    TRY(dnnl_dilated_convolution_backward_data_desc_init(&data, dnnl_convolution_direct, &d.src_any, &d.weights_any,
                                                         &d.dst_any, d.strides, d.dilates, d.pad_l, d.pad_r));
    TRY(dnnl_primitive_desc_create(&data_pd, &data, NULL, engine, forward_pd));
    TRY(dnnl_dilated_convolution_backward_weights_desc_init(&weights, dnnl_convolution_direct, &d.src_any, &d.weights_any,
                                                            bias, &d.dst_any, d.strides, d.dilates, d.pad_l, d.pad_r));
    TRY(dnnl_primitive_desc_create(&weights_pd, &weights, NULL, engine, forward_pd));
    const char *data_name = NULL, *weights_name = NULL;
    TRY(dnnl_primitive_desc_query(data_pd, dnnl_query_impl_info_str, 0, &data_name));
    TRY(dnnl_primitive_desc_query(weights_pd, dnnl_query_impl_info_str, 0, &weights_name));
    snprintf(self->implementation, sizeof self->implementation, "%s / %s", data_name ? data_name : "?",
             weights_name ? weights_name : "?");

    TRY(dnnl_primitive_create(&self->data, data_pd));
    TRY(dnnl_primitive_create(&self->weights, weights_pd));
    TRY(dnnlshim_operand_init(&self->data_diff_dst, engine, &d.dst_user, dnnl_primitive_desc_query_md(data_pd, dnnl_query_diff_dst_md, 0), 1, 2));
    TRY(dnnlshim_operand_init(&self->data_weights, engine, &d.weights_user, dnnl_primitive_desc_query_md(data_pd, dnnl_query_weights_md, 0), 1, 3));
    TRY(dnnlshim_operand_init(&self->data_diff_src, engine, &d.src_user, dnnl_primitive_desc_query_md(data_pd, dnnl_query_diff_src_md, 0), 0, 4));
    TRY(dnnlshim_operand_init(&self->w_src, engine, &d.src_user, dnnl_primitive_desc_query_md(weights_pd, dnnl_query_src_md, 0), 1, 5));
    TRY(dnnlshim_operand_init(&self->w_diff_dst, engine, &d.dst_user, dnnl_primitive_desc_query_md(weights_pd, dnnl_query_diff_dst_md, 0), 1, 6));
    TRY(dnnlshim_operand_init(&self->w_diff_weights, engine, &d.weights_user, dnnl_primitive_desc_query_md(weights_pd, dnnl_query_diff_weights_md, 0), 0, 7));
    if (has_bias) TRY(dnnl_memory_create(&self->diff_bias, &d.bias, engine, DNNL_MEMORY_NONE));
    dnnl_primitive_desc_destroy(forward_pd);
    dnnl_primitive_desc_destroy(data_pd);
    dnnl_primitive_desc_destroy(weights_pd);
    return self;

fail:
    if (forward_pd) dnnl_primitive_desc_destroy(forward_pd);
    if (data_pd) dnnl_primitive_desc_destroy(data_pd);
    if (weights_pd) dnnl_primitive_desc_destroy(weights_pd);
    dnnlshim_conv_backward_free(self);
    return NULL;
}

int dnnlshim_conv_backward_run(dnnlshim_conv_backward *self, const float *src, const float *weight, const float *diff_dst,
                               float *diff_src, float *diff_weight, float *diff_bias, char *err, size_t errlen) {
    int result = -1;
    pthread_mutex_lock(&self->lock);
    dnnlshim_apply_threads();
    dnnl_memory_t dd, wt, ds, s, wdd, dw;
    // Gradient of the input: diff_src = conv_transpose(diff_dst, weights).
    TRY(dnnlshim_operand_bind(&self->data_diff_dst, (void *)diff_dst, &dd));
    TRY(dnnlshim_operand_bind(&self->data_weights, (void *)weight, &wt));
    TRY(dnnlshim_operand_bind(&self->data_diff_src, diff_src, &ds));
    TRY(dnnlshim_operand_load(&self->data_diff_dst, self->stream, dd));
    TRY(dnnlshim_operand_load(&self->data_weights, self->stream, wt));
    dnnl_exec_arg_t data_args[3] = {{DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_WEIGHTS, wt}, {DNNL_ARG_DIFF_SRC, ds}};
    TRY(dnnl_primitive_execute(self->data, self->stream, 3, data_args));
    TRY(dnnlshim_operand_store(&self->data_diff_src, self->stream, ds));

    // Gradients of the weights and bias.
    TRY(dnnlshim_operand_bind(&self->w_src, (void *)src, &s));
    TRY(dnnlshim_operand_bind(&self->w_diff_dst, (void *)diff_dst, &wdd));
    TRY(dnnlshim_operand_bind(&self->w_diff_weights, diff_weight, &dw));
    TRY(dnnlshim_operand_load(&self->w_src, self->stream, s));
    TRY(dnnlshim_operand_load(&self->w_diff_dst, self->stream, wdd));
    if (self->diff_bias) TRY(dnnl_memory_set_data_handle(self->diff_bias, diff_bias));
    dnnl_exec_arg_t weight_args[4] = {{DNNL_ARG_SRC, s}, {DNNL_ARG_DIFF_DST, wdd}, {DNNL_ARG_DIFF_WEIGHTS, dw},
                                      {DNNL_ARG_DIFF_BIAS, self->diff_bias}};
    TRY(dnnl_primitive_execute(self->weights, self->stream, self->diff_bias ? 4 : 3, weight_args));
    TRY(dnnlshim_operand_store(&self->w_diff_weights, self->stream, dw));
    TRY(dnnl_stream_wait(self->stream));
    result = 0;
fail:
    pthread_mutex_unlock(&self->lock);
    return result;
}

const char *dnnlshim_conv_backward_implementation(const dnnlshim_conv_backward *self) { return self->implementation; }

void dnnlshim_conv_backward_free(dnnlshim_conv_backward *self) {
    if (!self) return;
    if (self->data) dnnl_primitive_destroy(self->data);
    if (self->weights) dnnl_primitive_destroy(self->weights);
    dnnlshim_operand *operands[] = {&self->data_diff_dst, &self->data_weights, &self->data_diff_src,
                           &self->w_src, &self->w_diff_dst, &self->w_diff_weights};
    for (size_t i = 0; i < 6; ++i) dnnlshim_operand_free(operands[i]);
    if (self->diff_bias) dnnl_memory_destroy(self->diff_bias);
    if (self->stream) dnnl_stream_destroy(self->stream);
    pthread_mutex_destroy(&self->lock);
    free(self);
}
