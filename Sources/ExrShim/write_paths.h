// The two ways exrshim_write puts pixels into a file (write.cpp chooses).
#pragma once
#include "exrshim.h"
#include <ImfHeader.h>

namespace exrshim {

/// NONE compression: chunks packed here and written by OpenEXR's C core (write_uncompressed.cpp).
void writeUncompressed(const char *path, const Imf::Header &header, const ExrShimChannel *channels, int channelCount,
                       int threads);

} // namespace exrshim
