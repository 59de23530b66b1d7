// Uncompressed (NONE) scanline files through OpenEXR's C core, which takes chunks the caller has
// already packed. Imf::OutputFile would copy every sample once more, pixel by pixel, from a frame
// buffer into its line buffer; here each plane is converted straight into the file's layout.
// The header is still built and checked by Imf (write.cpp), serialised to memory, and handed to
// the core as the source of every attribute, so both writers produce the same header. The core
// adds one optional attribute, `type: scanlineimage`.
#include "coalescing_file.h"
#include "common.h"
#include "bands.h"
#include "convert.h"
#include "exrshim.h"
#include "write_paths.h"
#include <ImfOutputFile.h>
#include <ImfStdIO.h>
#include <openexr.h>
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "EXR samples are little-endian; packing copies host order");

namespace exrshim {
namespace {

// The core reports details through a callback on the thread that made the failing call.
thread_local std::string coreDetail;

void rememberCoreError(exr_const_context_t, exr_result_t code, const char *message) {
    coreDetail = message != nullptr ? message : exr_get_default_error_message(code);
}

void check(exr_result_t result, const std::string &step) {
    if (result == EXR_ERR_SUCCESS) return;
    std::string detail = coreDetail.empty() ? exr_get_default_error_message(result) : coreDetail;
    coreDetail.clear();
    throw std::runtime_error(step + ": " + detail);
}

/// Closes a core context however the write ends.
struct CoreContext {
    exr_context_t handle = nullptr;
    CoreContext() = default;
    CoreContext(const CoreContext &) = delete;
    ~CoreContext() {
        if (handle != nullptr) exr_finish(&handle);
    }
    /// Finishes explicitly, so that a failure to write the chunk table is reported.
    void finish(const char *step) {
        exr_result_t result = exr_finish(&handle);
        handle = nullptr;
        check(result, step);
    }
};

/// The header exactly as Imf writes it (magic, version, attributes), read back by the core.
struct SerialisedHeader {
    std::string bytes;

    static int64_t read(exr_const_context_t, void *user, void *buffer, uint64_t size, uint64_t offset,
                        exr_stream_error_func_ptr_t) {
        const std::string &bytes = static_cast<SerialisedHeader *>(user)->bytes;
        if (offset >= bytes.size()) return 0;
        const uint64_t count = std::min<uint64_t>(size, bytes.size() - offset);
        std::memcpy(buffer, bytes.data() + offset, count);
        return int64_t(count);
    }
    static int64_t size(exr_const_context_t, void *user) { return int64_t(static_cast<SerialisedHeader *>(user)->bytes.size()); }
};

/// Rows of the file's scanline chunks, each `lineBytes` long: per row, every channel's samples in
/// the file's channel order.
struct PackedBand {
    std::vector<char> bytes;
    int64_t rows = 0;
};

/// Every attribute of the serialised header into the new part. The 3.1 core's copy stops, without
/// failing, at the first attribute of a type it does not know (it reports "the opaque type is not
/// actually a built-in type"), so those are set as user attributes first, which the copy then skips;
/// the check at the end makes sure no other attribute was dropped on the way.
void copyAttributes(exr_context_t file, int part, exr_const_context_t source) {
    int32_t count = 0;
    check(exr_get_attribute_count(source, 0, &count), "counting attributes");
    std::vector<const exr_attribute_t *> attributes(size_t(count), nullptr);
    for (int32_t i = 0; i < count; ++i) {
        check(exr_get_attribute_by_index(source, 0, EXR_ATTR_LIST_FILE_ORDER, i, &attributes[size_t(i)]), "listing attributes");
        const exr_attribute_t *attribute = attributes[size_t(i)];
        if (attribute->type == EXR_ATTR_OPAQUE)
            check(exr_attr_set_user(file, part, attribute->name, attribute->type_name, attribute->opaque->size,
                                    attribute->opaque->packed_data),
                  attribute->name);
    }
    check(exr_copy_unset_attributes(file, part, source, 0), "copying the header");
    coreDetail.clear();
    for (const exr_attribute_t *attribute : attributes) {
        const exr_attribute_t *copied = nullptr;
        if (exr_get_attribute_by_name(file, part, attribute->name, &copied) != EXR_ERR_SUCCESS)
            throw std::runtime_error(std::string("OpenEXR's core did not take attribute ") + attribute->name + " (" +
                                     attribute->type_name + ")");
    }
}

} // namespace

void writeUncompressed(const char *path, const Imf::Header &header, const ExrShimChannel *channels, int channelCount,
                       int threads) {
    SerialisedHeader serialised;
    {
        Imf::StdOSStream stream;
        { Imf::OutputFile probe(stream, header, 0); }   // writes magic, version, header and an empty offset table
        serialised.bytes = stream.str();
    }
    exr_context_initializer_t readInit = EXR_DEFAULT_CONTEXT_INITIALIZER;
    readInit.user_data = &serialised;
    readInit.read_fn = &SerialisedHeader::read;
    readInit.size_fn = &SerialisedHeader::size;
    readInit.error_handler_fn = &rememberCoreError;
    CoreContext source;
    check(exr_start_read(&source.handle, "serialised header", &readInit), "parsing the header");

    CoalescingFile sink(path);
    exr_context_initializer_t writeInit = EXR_DEFAULT_CONTEXT_INITIALIZER;
    writeInit.error_handler_fn = &rememberCoreError;
    sink.install(writeInit);
    CoreContext file;
    check(exr_start_write(&file.handle, path, EXR_WRITE_FILE_DIRECTLY, &writeInit), "opening the file");
    int part = 0;
    check(exr_add_part(file.handle, nullptr, EXR_STORAGE_SCANLINE, &part), "adding the part");
    copyAttributes(file.handle, part, source.handle);
    check(exr_write_header(file.handle), "writing the header");

    // The file's channel order (sorted by name) mapped to the caller's planes.
    const exr_attr_chlist_t *list = nullptr;
    check(exr_get_channels(file.handle, part, &list), "reading the channel list");
    if (list->num_channels != channelCount) throw std::logic_error("channel list does not match the planes");
    std::vector<const ExrShimChannel *> ordered;
    for (int i = 0; i < list->num_channels; ++i) {
        const ExrShimChannel *match = nullptr;
        for (int c = 0; c < channelCount; ++c)
            if (std::strcmp(list->entries[i].name.str, channels[c].name) == 0) match = &channels[c];
        if (match == nullptr) throw std::logic_error(std::string("no plane for channel ") + list->entries[i].name.str);
        ordered.push_back(match);
    }

    const Imath::Box2i &dw = header.dataWindow();
    const int64_t width = int64_t(dw.max.x) - dw.min.x + 1, height = int64_t(dw.max.y) - dw.min.y + 1;
    size_t lineBytes = 0;
    for (const ExrShimChannel *channel : ordered) lineBytes += size_t(width) * sampleBytes(channel->pixelType, channel->name);
    // Bands of about 1 MB stay in cache between packing and the write system call.
    const int64_t bandRows = std::max<int64_t>(1, std::min<int64_t>(height, int64_t((1u << 20) / lineBytes)));

    PackedBand bands[2];
    auto pack = [&](int slot, int64_t first, bool) {
        PackedBand &band = bands[slot];
        band.rows = std::min(bandRows, height - first);
        band.bytes.resize(size_t(bandRows) * lineBytes);
        char *out = band.bytes.data();
        for (int64_t row = first; row < first + band.rows; ++row) {
            for (const ExrShimChannel *channel : ordered) {
                if (const uint32_t *exact = exactUintPlane(*channel))
                    std::memcpy(out, exact + row * width, size_t(width) * 4);
                else
                    convertSamples(channel->plane + row * width, channel->pixelType, out, size_t(width));
                out += size_t(width) * sampleBytes(channel->pixelType, channel->name);
            }
        }
    };
    auto write = [&](int slot, int64_t first) {
        const PackedBand &band = bands[slot];
        for (int64_t row = 0; row < band.rows; ++row) {
            const int y = int(dw.min.y + first + row);
            const exr_result_t result = exr_write_scanline_chunk(file.handle, part, y, band.bytes.data() + row * lineBytes, lineBytes);
            if (result != EXR_ERR_SUCCESS) check(result, "writing scan line " + std::to_string(y));   // message built only on failure
        }
    };
    // With two or more threads the next band is packed while this one is written.
    pipelineBands(height, bandRows, threads > 1 && height > bandRows, pack, write);
    file.finish("finishing the file");
    sink.close();
}

} // namespace exrshim
