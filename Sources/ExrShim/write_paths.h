// The ways exrshim_write puts pixels into a file (write.cpp chooses), and the header both it and
// exrshim_write_parts build.
#pragma once
#include "exrshim.h"
#include <ImfHeader.h>

namespace exrshim {

/// The header of one scanline part: windows, attributes (structural ones skipped, unknown types
/// kept opaque), compression (and DWA level when > 0), increasing-y line order, channels.
Imf::Header makeHeader(const int32_t dataWindow[4], const int32_t displayWindow[4], int compression, float dwaLevel,
                       const ExrShimAttribute *attributes, int attributeCount, const ExrShimChannel *channels,
                       int channelCount);

/// NONE compression: chunks packed here and written by OpenEXR's C core (write_uncompressed.cpp).
void writeUncompressed(const char *path, const Imf::Header &header, const ExrShimChannel *channels, int channelCount,
                       int threads);

} // namespace exrshim
