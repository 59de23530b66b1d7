// extern "C" API over OpenColorIO 2.1 (Debian 12's libopencolorio-dev), used by Imaging's colour
// spaces. Swift's C++ interop cannot use OCIO's classes (../shared/TOOLCHAIN.md), so the few calls
// plateswap needs live here: load a config file, resolve and list colour-space names, build CPU
// processors, apply them to Float32 RGB in place. Every entry point catches all C++ exceptions and
// reports them as text in `err` (a caller buffer of `errlen` bytes); int functions return 0 on
// success and -1 on failure, pointer functions NULL.
#pragma once
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/// The library's version string, e.g. "2.1.2".
const char *ocioshim_version(void);

typedef struct OcioShimConfig OcioShimConfig;
typedef struct OcioShimProcessor OcioShimProcessor;

/// Loads and validates a config file (.ocio). Free it with `ocioshim_config_free`.
OcioShimConfig *ocioshim_config_open(const char *path, char *err, size_t errlen);
void ocioshim_config_free(OcioShimConfig *config);

/// The canonical name of the colour space that `name` (a name, alias or role, any case) denotes,
/// or NULL when the config has none. Strings returned by a config live as long as the config.
const char *ocioshim_canonical_name(const OcioShimConfig *config, const char *name);

/// Every colour space of the config (active and inactive), by index.
int ocioshim_colorspace_count(const OcioShimConfig *config);
const char *ocioshim_colorspace_name(const OcioShimConfig *config, int index);
/// Aliases of the colour space `name` denotes (0 when none or unknown).
int ocioshim_alias_count(const OcioShimConfig *config, const char *name);
const char *ocioshim_alias(const OcioShimConfig *config, const char *name, int index);
/// The colour space's `encoding` field ("scene-linear", "log", "sdr-video", ...; "" when unset).
const char *ocioshim_encoding(const OcioShimConfig *config, const char *name);
/// The colour space a role names ("" when the config does not define the role).
const char *ocioshim_role(const OcioShimConfig *config, const char *role);

/// Displays and their views (the config's active ones, in its order).
int ocioshim_display_count(const OcioShimConfig *config);
const char *ocioshim_display(const OcioShimConfig *config, int index);
const char *ocioshim_default_display(const OcioShimConfig *config);
int ocioshim_view_count(const OcioShimConfig *config, const char *display);
const char *ocioshim_view(const OcioShimConfig *config, const char *display, int index);
const char *ocioshim_default_view(const OcioShimConfig *config, const char *display);

/// A CPU processor from colour space `src` to `dst` (names, aliases or roles). Free it with
/// `ocioshim_processor_free`. Applying one is thread-safe.
OcioShimProcessor *ocioshim_processor(const OcioShimConfig *config, const char *src, const char *dst,
                                      char *err, size_t errlen);
/// A CPU processor from colour space `src` through the display/view pair (the view's look and
/// view transform included).
OcioShimProcessor *ocioshim_display_processor(const OcioShimConfig *config, const char *src, const char *display,
                                              const char *view, char *err, size_t errlen);
void ocioshim_processor_free(OcioShimProcessor *processor);
/// 1 when the processor leaves every value unchanged.
int ocioshim_processor_is_noop(const OcioShimProcessor *processor);

/// Applies the processor in place to `count` pixels held as three planes.
int ocioshim_apply_planar(const OcioShimProcessor *processor, float *r, float *g, float *b, long count,
                          char *err, size_t errlen);
/// Applies the processor in place to `count` interleaved RGB pixels (3 floats each).
int ocioshim_apply_interleaved(const OcioShimProcessor *processor, float *rgb, long count, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
