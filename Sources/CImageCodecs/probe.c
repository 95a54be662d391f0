// Format detection and header-only dimension reading.
#include <string.h>

#include "cic_internal.h"
#include "jpeg_common.h"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/// CRC-32 (ISO-HDLC, as PNG uses) of a short span; bitwise because it only
/// ever sees the 17 bytes of an IHDR type+data.
static uint32_t crc32_small(const uint8_t *bytes, size_t count) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < count; i++) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t read_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/// The PNG signature is followed by the IHDR chunk:
/// length(4) = 13, "IHDR", width(4), height(4), 5 more bytes, CRC(4) = 33 bytes.
static int probe_png(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height, char *err) {
    if (size < 33) return cic_fail(err, CIC_TRUNCATED, "PNG ends inside its header (%zu of 33 bytes)", size);
    if (read_be32(data + 8) != 13 || memcmp(data + 12, "IHDR", 4) != 0)
        return cic_fail(err, CIC_CORRUPT, "PNG does not start with a valid IHDR chunk");
    if (crc32_small(data + 12, 17) != read_be32(data + 29))
        return cic_fail(err, CIC_CORRUPT, "PNG IHDR chunk fails its CRC check");
    uint32_t w = read_be32(data + 16), h = read_be32(data + 20);
    if (w == 0 || h == 0 || w > 0x7FFFFFFFu || h > 0x7FFFFFFFu)
        return cic_fail(err, CIC_CORRUPT, "PNG header has invalid dimensions %u x %u", w, h);
    *width = w;
    *height = h;
    return CIC_OK;
}

static int probe_jpeg(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height, char *err) {
    struct jpeg_decompress_struct cinfo;
    struct cic_jpeg_error jerr;
    cic_jpeg_error_init(&jerr, (j_common_ptr)&cinfo);
    if (setjmp(jerr.jump)) {
        int status = cic_jpeg_error_status(&jerr);
        cic_fail(err, status, "%s", jerr.message);
        jpeg_destroy_decompress(&cinfo);
        return status;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    *width = cinfo.image_width;
    *height = cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return CIC_OK;
}

int cic_probe(const uint8_t *data, size_t size, int *format, uint32_t *width, uint32_t *height, char *err) {
    cic_clear(err);
    *format = 0;
    *width = 0;
    *height = 0;
    if (data == NULL || size == 0) return cic_fail(err, CIC_EMPTY, "no bytes");
    // A prefix of a signature (an upload cut after a few bytes) is a truncated
    // image of that format, not "not an image".
    size_t png_prefix = size < sizeof png_signature ? size : sizeof png_signature;
    if (memcmp(data, png_signature, png_prefix) == 0) {
        *format = CIC_FORMAT_PNG;
        return probe_png(data, size, width, height, err);
    }
    // JPEG: SOI (FF D8) then the first marker's FF.
    if (data[0] == 0xFF && (size < 2 || data[1] == 0xD8) && (size < 3 || data[2] == 0xFF)) {
        *format = CIC_FORMAT_JPEG;
        if (size < 4) return cic_fail(err, CIC_TRUNCATED, "JPEG ends inside its header (%zu bytes)", size);
        return probe_jpeg(data, size, width, height, err);
    }
    return cic_fail(err, CIC_NOT_AN_IMAGE, "leading bytes match neither PNG nor JPEG");
}
