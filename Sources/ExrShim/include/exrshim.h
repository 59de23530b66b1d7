// extern "C" API over the OpenEXR 3.1 C++ library (see ../shared/TOOLCHAIN.md: the 3.1 C core
// lacks DWAA/DWAB). Filled in by the PlateIO EXR work.
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
/// OpenEXR library version string, e.g. "3.1.5".
const char *exrshim_version(void);
#ifdef __cplusplus
}
#endif
