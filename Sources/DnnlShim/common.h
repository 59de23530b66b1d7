// Pieces the forward and backward convolutions share: the engine, reorders, per-thread scratch.
#ifndef DNNLSHIM_COMMON_H
#define DNNLSHIM_COMMON_H
#include <oneapi/dnnl/dnnl.h>
#include <stddef.h>
#include <stdint.h>

/// The CPU engine, created once; NULL (and a message in err) if oneDNN cannot start.
dnnl_engine_t dnnlshim_engine(char *err, size_t errlen);
/// Sets OpenMP's thread count for the calling thread (it is per thread) to dnnlshim_set_threads'.
void dnnlshim_apply_threads(void);
void dnnlshim_say(char *err, size_t errlen, const char *format, ...);
/// A reorder primitive from `from` to `to`, or NULL in *out when the layouts are equal.
dnnl_status_t dnnlshim_make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out);
dnnl_status_t dnnlshim_run_reorder(dnnl_primitive_t reorder, dnnl_stream_t stream, dnnl_memory_t from, dnnl_memory_t to);
/// Scratch buffer `which` (0-7) of the calling thread, at least `bytes` long, kept between calls:
/// allocating (and first touching) tens of MB per call cost more than the reorders themselves.
void *dnnlshim_scratch(int which, size_t bytes);
/// Bytes of a memory object's layout.
size_t dnnlshim_byte_size(dnnl_memory_t memory);

/// Memory descriptors of one convolution: oneDNN's choice (`any`) and plateswap's plain layouts
/// (NCHW data, OIHW or GOIHW weights, a bias vector).
typedef struct {
    dnnl_memory_desc_t src_any, weights_any, dst_any, bias;
    dnnl_memory_desc_t src_user, weights_user, dst_user;
    dnnl_dims_t strides, dilates, pad_l, pad_r;  // spatial (height, width); dilation counts the gaps
} dnnlshim_descs;

/// Checks the sizes and fills `d`; returns the engine, or NULL with a message in `err`.
dnnl_engine_t dnnlshim_prepare(dnnlshim_descs *d, int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh,
                               int64_t kw, int64_t stride, int64_t dilation, const int64_t padding[4], int64_t groups,
                               char *err, size_t errlen);

/// One operand of a primitive: plateswap's plain buffer (NCHW / OIHW), the primitive's layout,
/// and the reorder between them (NULL when the layouts are equal: the plain buffer is used as is).
typedef struct {
    dnnl_memory_t plain, inner;
    dnnl_primitive_t reorder;
    int scratch;  // the per-thread scratch buffer that holds `inner`
} dnnlshim_operand;

/// `input`: reorders plain -> primitive layout; else primitive layout -> plain (an output).
dnnl_status_t dnnlshim_operand_init(dnnlshim_operand *op, dnnl_engine_t engine, const dnnl_memory_desc_t *plain,
                                    const dnnl_memory_desc_t *inner, int input, int scratch);
/// Attaches the plain buffer and sets *use to the memory the primitive reads or writes.
dnnl_status_t dnnlshim_operand_bind(dnnlshim_operand *op, void *buffer, dnnl_memory_t *use);
/// Input: copies the plain buffer into `use` (nothing when they are the same memory).
dnnl_status_t dnnlshim_operand_load(dnnlshim_operand *op, dnnl_stream_t stream, dnnl_memory_t use);
/// Output: copies `use` back into the plain buffer (nothing when they are the same memory).
dnnl_status_t dnnlshim_operand_store(dnnlshim_operand *op, dnnl_stream_t stream, dnnl_memory_t use);
void dnnlshim_operand_free(dnnlshim_operand *op);

#define DNNLSHIM_TRY(call)                                                                      \
    do {                                                                                        \
        dnnl_status_t status_ = (call);                                                         \
        if (status_ != dnnl_success) {                                                          \
            dnnlshim_say(err, errlen, "oneDNN: %s failed with status %d", #call, (int)status_); \
            goto fail;                                                                          \
        }                                                                                       \
    } while (0)
#endif
