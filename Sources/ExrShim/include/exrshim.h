// extern "C" API over the OpenEXR 3.1 C++ library (Imf), used by PlateIO's EXR reader and writer.
//
// Why C++ and not the 3.1 C core: the core cannot read or write DWAA/DWAB and mis-orders channels
// when decoding half to float (../shared/TOOLCHAIN.md). The one use of the core is writing
// uncompressed files, whose chunks need no codec (write_uncompressed.cpp). Every entry point catches all C++
// exceptions and reports them as a message in `err` (a caller buffer of `errlen` bytes); functions
// return 0 on success and -1 on failure. Header parsing and size guards happen in Swift *before*
// any of these functions touch a file (PlateIO/EXRHeaderParser.swift), so Imf never sizes a buffer
// from an unchecked header.
#pragma once
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// OpenEXR library version string, e.g. "3.1.5".
const char *exrshim_version(void);

/// Pixel types, as stored in EXR files.
enum { EXRSHIM_UINT = 0, EXRSHIM_HALF = 1, EXRSHIM_FLOAT = 2 };

// ---- reading ----
typedef struct ExrShimReader ExrShimReader;

/// Opens a file for reading with `threads` worker threads (1: the calling thread does all work).
ExrShimReader *exrshim_open(const char *path, int threads, char *err, size_t errlen);
void exrshim_close(ExrShimReader *reader);
int exrshim_part_count(const ExrShimReader *reader);

/// Decodes the whole data window (level 0 for tiled parts) of `part` into Float32 planes, one per
/// channel, each `width * height` values, row-major from the data window's top-left corner.
int exrshim_read_part(ExrShimReader *reader, int part, const char *const *channels, float *const *planes,
                      int count, char *err, size_t errlen);

/// Decodes level (levelX, levelY) of `part` (0, 0 for scanline parts; any valid level of a tiled
/// one) into planes of `width * height` samples, which must be the level's size (else nothing is
/// read). `planeTypes[i]` is the sample type of plane i: EXRSHIM_FLOAT, or EXRSHIM_UINT for a uint
/// channel, whose samples then arrive exactly (Float32 holds integers only up to 2^24).
int exrshim_read_level(ExrShimReader *reader, int part, int levelX, int levelY, int64_t width, int64_t height,
                       const char *const *channels, void *const *planes, const int *planeTypes, int count, char *err,
                       size_t errlen);

/// Reads every raw chunk of `part` (every level of a tiled one; deep parts too) without
/// decompressing it, so truncated files and damaged chunk leaders are found cheaply.
int exrshim_verify_chunks(ExrShimReader *reader, int part, char *err, size_t errlen);

/// Reads part 0 through Imf::RgbaInputFile, which converts luminance/chroma (Y, RY, BY) to RGB.
/// Planes are `width * height` values of the data window; `a` may be NULL.
int exrshim_read_rgba(const char *path, int threads, float *r, float *g, float *b, float *a,
                      char *err, size_t errlen);

// ---- writing ----
/// One header attribute, value serialised exactly as in an EXR file (little-endian).
typedef struct {
    const char *name;
    const char *type;
    const unsigned char *bytes;
    int size;
} ExrShimAttribute;

/// One channel to write: `plane` holds the data window's `width * height` values. A uint channel
/// may give its exact samples in `uintPlane` (NULL otherwise); then `plane` is not read.
typedef struct {
    const char *name;
    int pixelType;
    const float *plane;
    const uint32_t *uintPlane;
} ExrShimChannel;

/// Writes a single-part scanline file (increasing y). Windows are inclusive {xMin, yMin, xMax, yMax}.
/// `compression` is Imf::Compression's value. Attributes named like structural ones (channels,
/// compression, dataWindow, displayWindow, lineOrder, tiles, type, name, chunkCount, version) are skipped.
/// `dwaLevel` > 0 sets the DWAA/DWAB quality level (OpenEXR's default is 45).
/// NONE files are packed here and written through OpenEXR's C core (no second per-sample copy);
/// `options` EXRSHIM_WRITE_THROUGH_OUTPUTFILE sends them through Imf::OutputFile like the rest.
enum { EXRSHIM_WRITE_THROUGH_OUTPUTFILE = 1 };
int exrshim_write(const char *path, const int32_t dataWindow[4], const int32_t displayWindow[4],
                  int compression, float dwaLevel, const ExrShimAttribute *attributes, int attributeCount,
                  const ExrShimChannel *channels, int channelCount, int threads, int options, char *err,
                  size_t errlen);

/// One reduced level of a mip- or rip-mapped part: the part's channels, in the same order, with
/// planes of the level's size.
typedef struct {
    int levelX;
    int levelY;
    const ExrShimChannel *channels;
} ExrShimLevel;

/// How a part is tiled: tile size, level mode (0 one level, 1 mipmap, 2 ripmap), level rounding
/// (0 down, 1 up), and every level but (0, 0), which is the part's own channels.
typedef struct {
    int xSize;
    int ySize;
    int levelMode;
    int roundingMode;
    const ExrShimLevel *levels;
    int levelCount;
} ExrShimTiling;

/// One part of a multi-part file: name (required when there are several, unique), inclusive windows
/// {xMin, yMin, xMax, yMax}, attributes and channels as exrshim_write takes them; `tiling` NULL for a
/// scanline part. With `copyFrom` set, the part is part `copyPart` of that file instead, copied as
/// it is stored (its header whole, every chunk verbatim: deep parts too); the other fields but
/// `name` are then not read.
typedef struct {
    const char *name;
    const int32_t *dataWindow;
    const int32_t *displayWindow;
    const ExrShimAttribute *attributes;
    int attributeCount;
    const ExrShimChannel *channels;
    int channelCount;
    const ExrShimTiling *tiling;
    const char *copyFrom;
    int copyPart;
} ExrShimPart;

/// Writes a multi-part file (Imf::MultiPartOutputFile) of scanline and tiled parts, each with its
/// own name, windows, attributes, channel types and tiling (a tiled part needs every level its
/// level mode has), and of parts copied from other files (`copyFrom`); `compression` and
/// `dwaLevel` apply to every part that is not copied. One part makes a single-part file.
int exrshim_write_parts(const char *path, const ExrShimPart *parts, int partCount, int compression, float dwaLevel,
                        int threads, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
