// The fast path exrshim_read_part takes for uncompressed scan-line parts (read.cpp chooses).
#pragma once
#include <ImfHeader.h>
#include <ImfMultiPartInputFile.h>

namespace exrshim {

/// A scan-line part with NONE compression and no subsampled channels.
bool isUncompressedScanlinePart(const Imf::Header &header);

/// Reads the whole data window of such a part into `count` planes (read_uncompressed.cpp), each of
/// the sample type `planeTypes[i]` (EXRSHIM_FLOAT, or EXRSHIM_UINT for a uint channel: copied exactly).
void readUncompressed(Imf::MultiPartInputFile &file, int part, const Imf::Header &header, const char *const *names,
                      void *const *planes, const int *planeTypes, int count);

} // namespace exrshim
