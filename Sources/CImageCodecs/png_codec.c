// PNG decode to RGBA8 and encode from RGBA8 with libpng's simplified API,
// which catches libpng's longjmp internally and reports through
// image.message, so no setjmp is needed here.
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "cic_internal.h"

/// libpng reports every failure as text; running out of input is the one
/// worth its own status, so a cut-off upload is told apart from a damaged one.
static int png_status_for(const char *message) {
    if (strstr(message, "beyond end of data") != NULL || strstr(message, "Not enough") != NULL)
        return CIC_TRUNCATED;
    return CIC_CORRUPT;
}

static int png_read_failure(png_image *image, char *err) {
    int status = png_status_for(image->message);
    const char *prefix = status == CIC_TRUNCATED ? "PNG data ends early" : "PNG";
    cic_fail(err, status, "%s: %s", prefix, image->message);
    png_image_free(image);
    return status;
}

int cic_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                   uint8_t *out, size_t out_size,
                   uint32_t *width, uint32_t *height, char *err) {
    cic_clear(err);
    *width = 0;
    *height = 0;
    if (data == NULL || size == 0) return cic_fail(err, CIC_EMPTY, "no bytes");

    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    // libpng keeps `data` until png_image_finish_read; both calls are in this
    // function, while the caller's buffer is pinned.
    if (!png_image_begin_read_from_memory(&image, data, size)) return png_read_failure(&image, err);

    uint64_t pixels = (uint64_t)image.width * image.height;
    *width = image.width;
    *height = image.height;
    if (pixels > max_pixels) {
        png_image_free(&image);
        return cic_fail(err, CIC_TOO_MANY_PIXELS, "PNG is %u x %u, more than %llu pixels",
                        *width, *height, (unsigned long long)max_pixels);
    }
    if (out == NULL || pixels * 4 != out_size) {
        png_image_free(&image);
        return cic_fail(err, CIC_BAD_ARGUMENT, "output buffer is %zu bytes, %u x %u RGBA needs %llu",
                        out_size, *width, *height, (unsigned long long)(pixels * 4));
    }
    // 8-bit sRGB RGBA: libpng expands palette/grey/16-bit/tRNS and leaves
    // alpha straight (only its 16-bit linear formats are premultiplied).
    image.format = PNG_FORMAT_RGBA;
    if (!png_image_finish_read(&image, NULL, out, 0, NULL)) return png_read_failure(&image, err);
    return CIC_OK;  // finish_read has freed the image
}

int cic_png_encode(const uint8_t *rgba, uint32_t width, uint32_t height,
                   uint8_t **out, size_t *out_size, char *err) {
    cic_clear(err);
    *out = NULL;
    *out_size = 0;
    if (rgba == NULL || width == 0 || height == 0)
        return cic_fail(err, CIC_BAD_ARGUMENT, "cannot encode an empty %u x %u image", width, height);

    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = PNG_FORMAT_RGBA;
    // One pass into a worst-case buffer (the size-query mode would compress
    // twice); pages past the real size are never touched, and realloc trims.
    png_alloc_size_t capacity = PNG_IMAGE_PNG_SIZE_MAX(image);
    uint8_t *buffer = malloc(capacity);
    if (buffer == NULL)
        return cic_fail(err, CIC_ENCODE_FAILED, "out of memory (%llu bytes)", (unsigned long long)capacity);
    png_alloc_size_t length = capacity;
    if (!png_image_write_to_memory(&image, buffer, &length, 0, rgba, 0, NULL)) {
        free(buffer);
        int status = cic_fail(err, CIC_ENCODE_FAILED, "%s", image.message);
        png_image_free(&image);
        return status;
    }
    uint8_t *trimmed = realloc(buffer, length);
    *out = trimmed != NULL ? trimmed : buffer;
    *out_size = length;
    return CIC_OK;
}
