// A small C face over oneDNN's convolution forward (libdnnl 2.6, C API) for Neural: one object per
// (layer, input shape) holding the primitive and the weights in oneDNN's own layout; plateswap's
// NCHW tensors go in and come out, reordered to and from oneDNN's blocked layout inside.
#ifndef DNNLSHIM_H
#define DNNLSHIM_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnnlshim_conv dnnlshim_conv;

/// Sizes of one convolution: input n x c x h x w, weight o x (c/groups) x kh x kw (OIHW as in
/// PyTorch), padding {top, left, bottom, right}. `bias` may be NULL. Returns NULL and a message in
/// `err` where oneDNN cannot run it.
dnnlshim_conv *dnnlshim_conv_create(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh, int64_t kw,
                                    int64_t stride, int64_t dilation, const int64_t padding[4], int64_t groups,
                                    const float *weight, const float *bias, char *err, size_t errlen);

/// dst (n x o x ho x wo, NCHW) = conv(src (NCHW)). Returns 0, or -1 with a message in `err`.
/// Calls on one object are serialised; different objects may run at once.
int dnnlshim_conv_forward(dnnlshim_conv *conv, const float *src, float *dst, char *err, size_t errlen);

/// oneDNN's name for the implementation it chose (e.g. "jit:avx2").
const char *dnnlshim_conv_implementation(const dnnlshim_conv *conv);

void dnnlshim_conv_free(dnnlshim_conv *conv);

typedef struct dnnlshim_conv_backward dnnlshim_conv_backward;

/// The gradients of one convolution (sizes as dnnlshim_conv_create) for inputs of this shape; the
/// weights are given per call. Returns NULL and a message in `err` where oneDNN cannot run it.
dnnlshim_conv_backward *dnnlshim_conv_backward_create(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh,
                                                      int64_t kw, int64_t stride, int64_t dilation,
                                                      const int64_t padding[4], int64_t groups, int has_bias, char *err,
                                                      size_t errlen);

/// Overwrites diff_src (NCHW), diff_weight (OIHW) and diff_bias (NULL without bias) with the
/// gradients for src, weight and diff_dst. Returns 0, or -1 with a message in `err`.
int dnnlshim_conv_backward_run(dnnlshim_conv_backward *conv, const float *src, const float *weight, const float *diff_dst,
                               float *diff_src, float *diff_weight, float *diff_bias, char *err, size_t errlen);

const char *dnnlshim_conv_backward_implementation(const dnnlshim_conv_backward *conv);

void dnnlshim_conv_backward_free(dnnlshim_conv_backward *conv);

/// Threads oneDNN's OpenMP runtime may use (plateswap's worker count).
void dnnlshim_set_threads(int threads);

#ifdef __cplusplus
}
#endif
#endif
