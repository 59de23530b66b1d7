#include "ocioshim.h"

#include <OpenColorIO/OpenColorIO.h>
#include <shimsupport.h>

namespace OCIO = OCIO_NAMESPACE;

struct OcioShimConfig {
    OCIO::ConstConfigRcPtr config;
};

struct OcioShimProcessor {
    OCIO::ConstProcessorRcPtr processor;
    OCIO::ConstCPUProcessorRcPtr cpu;
};

namespace {

using shimsupport::guarded;

/// Getters that the OCIO headers declare may throw are answered with a default instead.
template <class T, class Body> T quietly(T fallback, Body body) {
    try {
        return body();
    } catch (...) {
        return fallback;
    }
}

OCIO::ConstColorSpaceRcPtr space(const OcioShimConfig *c, const char *name) {
    return quietly<OCIO::ConstColorSpaceRcPtr>(nullptr, [&] { return c->config->getColorSpace(name); });
}

OcioShimProcessor *wrap(OCIO::ConstProcessorRcPtr processor) {
    auto *p = new OcioShimProcessor;
    p->processor = processor;
    p->cpu = processor->getOptimizedCPUProcessor(OCIO::BIT_DEPTH_F32, OCIO::BIT_DEPTH_F32, OCIO::OPTIMIZATION_DEFAULT);
    return p;
}

}  // namespace

extern "C" const char *ocioshim_version(void) { return OCIO::GetVersion(); }

extern "C" OcioShimConfig *ocioshim_config_open(const char *path, char *err, size_t errlen) {
    return guarded<OcioShimConfig *>(err, errlen, nullptr, [&] {
        auto config = OCIO::Config::CreateFromFile(path);
        config->validate();
        auto *c = new OcioShimConfig;
        c->config = config;
        return c;
    });
}

extern "C" void ocioshim_config_free(OcioShimConfig *config) { delete config; }

extern "C" const char *ocioshim_canonical_name(const OcioShimConfig *c, const char *name) {
    auto cs = space(c, name);
    return cs ? cs->getName() : nullptr;
}

extern "C" int ocioshim_colorspace_count(const OcioShimConfig *c) {
    return c->config->getNumColorSpaces(OCIO::SEARCH_REFERENCE_SPACE_ALL, OCIO::COLORSPACE_ALL);
}

extern "C" const char *ocioshim_colorspace_name(const OcioShimConfig *c, int index) {
    return c->config->getColorSpaceNameByIndex(OCIO::SEARCH_REFERENCE_SPACE_ALL, OCIO::COLORSPACE_ALL, index);
}

extern "C" int ocioshim_alias_count(const OcioShimConfig *c, const char *name) {
    auto cs = space(c, name);
    return cs ? int(cs->getNumAliases()) : 0;
}

extern "C" const char *ocioshim_alias(const OcioShimConfig *c, const char *name, int index) {
    auto cs = space(c, name);
    return cs ? cs->getAlias(size_t(index)) : "";
}

extern "C" const char *ocioshim_encoding(const OcioShimConfig *c, const char *name) {
    auto cs = space(c, name);
    return cs ? cs->getEncoding() : "";
}

extern "C" const char *ocioshim_role(const OcioShimConfig *c, const char *role) {
    if (!c->config->hasRole(role)) return "";
    auto cs = space(c, role);
    return cs ? cs->getName() : "";
}

extern "C" int ocioshim_display_count(const OcioShimConfig *c) { return c->config->getNumDisplays(); }
extern "C" const char *ocioshim_display(const OcioShimConfig *c, int index) { return c->config->getDisplay(index); }
extern "C" const char *ocioshim_default_display(const OcioShimConfig *c) { return c->config->getDefaultDisplay(); }
extern "C" int ocioshim_view_count(const OcioShimConfig *c, const char *display) { return c->config->getNumViews(display); }
extern "C" const char *ocioshim_view(const OcioShimConfig *c, const char *display, int index) {
    return c->config->getView(display, index);
}
extern "C" const char *ocioshim_default_view(const OcioShimConfig *c, const char *display) {
    return c->config->getDefaultView(display);
}

extern "C" OcioShimProcessor *ocioshim_processor(const OcioShimConfig *c, const char *src, const char *dst,
                                                 char *err, size_t errlen) {
    return guarded<OcioShimProcessor *>(err, errlen, nullptr, [&] { return wrap(c->config->getProcessor(src, dst)); });
}

extern "C" OcioShimProcessor *ocioshim_display_processor(const OcioShimConfig *c, const char *src, const char *display,
                                                         const char *view, char *err, size_t errlen) {
    return guarded<OcioShimProcessor *>(err, errlen, nullptr, [&] {
        auto transform = OCIO::DisplayViewTransform::Create();
        transform->setSrc(src);
        transform->setDisplay(display);
        transform->setView(view);
        return wrap(c->config->getProcessor(transform, OCIO::TRANSFORM_DIR_FORWARD));
    });
}

extern "C" void ocioshim_processor_free(OcioShimProcessor *p) { delete p; }

extern "C" int ocioshim_processor_is_noop(const OcioShimProcessor *p) { return p->cpu->isNoOp() ? 1 : 0; }

extern "C" int ocioshim_apply_planar(const OcioShimProcessor *p, float *r, float *g, float *b, long count,
                                     char *err, size_t errlen) {
    return guarded<int>(err, errlen, -1, [&] {
        if (count <= 0) return 0;
        OCIO::PlanarImageDesc image(r, g, b, nullptr, count, 1);
        p->cpu->apply(image);
        return 0;
    });
}

extern "C" int ocioshim_apply_interleaved(const OcioShimProcessor *p, float *rgb, long count, char *err, size_t errlen) {
    return guarded<int>(err, errlen, -1, [&] {
        if (count <= 0) return 0;
        OCIO::PackedImageDesc image(rgb, count, 1, 3);
        p->cpu->apply(image);
        return 0;
    });
}
