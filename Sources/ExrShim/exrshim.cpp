#include "exrshim.h"
#include <OpenEXRConfig.h>

extern "C" const char *exrshim_version(void) { return OPENEXR_VERSION_STRING; }
