// The fast path exrshim_read_part takes for uncompressed scan-line parts (read.cpp chooses).
#pragma once
#include <ImfHeader.h>
#include <ImfMultiPartInputFile.h>

namespace exrshim {

/// A scan-line part with NONE compression and no subsampled channels.
bool isUncompressedScanlinePart(const Imf::Header &header);

/// Reads the whole data window of such a part into `count` Float32 planes (read_uncompressed.cpp).
void readUncompressed(Imf::MultiPartInputFile &file, int part, const Imf::Header &header, const char *const *names,
                      float *const *planes, int count);

} // namespace exrshim
