// JPEG decode to RGBA8 and encode from RGBA8 with libjpeg-turbo.
#include <stdlib.h>

#include "jpeg_common.h"

/// CMYK/YCCK JPEGs (common in print artwork) cannot be converted to RGB by
/// libjpeg; they are decoded as CMYK and converted naively here (no ICC
/// profile). Photoshop, the main producer, writes inverted CMYK and marks it
/// with an Adobe APP14 segment.
static void cmyk_row_to_rgba(uint8_t *row, size_t pixels, int inverted) {
    for (size_t i = 0; i < pixels; i++) {
        uint8_t *p = row + i * 4;
        unsigned c = p[0], m = p[1], y = p[2], k = p[3];
        if (!inverted) {
            c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
        }
        // Now (255 - ink): the colour is the product of the remaining light.
        p[0] = (uint8_t)((c * k + 127) / 255);
        p[1] = (uint8_t)((m * k + 127) / 255);
        p[2] = (uint8_t)((y * k + 127) / 255);
        p[3] = 255;
    }
}

int cic_jpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                    uint8_t *out, size_t out_size,
                    uint32_t *width, uint32_t *height, char *err) {
    return cic_jpeg_decode_reduced(data, size, max_pixels, 1, out, out_size, width, height, err);
}

int cic_jpeg_decode_reduced(const uint8_t *data, size_t size, uint64_t max_pixels, unsigned reduction,
                            uint8_t *out, size_t out_size,
                            uint32_t *width, uint32_t *height, char *err) {
    cic_clear(err);
    if (reduction != 1 && reduction != 2 && reduction != 4 && reduction != 8)
        return cic_fail(err, CIC_BAD_ARGUMENT, "reduction %u is not 1, 2, 4 or 8", reduction);
    *width = 0;
    *height = 0;
    if (data == NULL || size == 0) return cic_fail(err, CIC_EMPTY, "no bytes");

    struct jpeg_decompress_struct cinfo;
    struct cic_jpeg_error jerr;
    cic_jpeg_error_init(&jerr, (j_common_ptr)&cinfo);
    if (setjmp(jerr.jump)) {
        int status = cic_jpeg_error_status(&jerr);
        jpeg_destroy_decompress(&cinfo);
        if (status == CIC_TRUNCATED) return cic_fail(err, status, "JPEG data ends early (%s)", jerr.message);
        return cic_fail(err, status, "%s", jerr.message);
    }
    jpeg_create_decompress(&cinfo);
    cic_jpeg_limit_scans(&jerr, &cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);

    uint64_t pixels = (uint64_t)cinfo.image_width * cinfo.image_height;
    *width = cinfo.image_width;
    *height = cinfo.image_height;
    if (pixels > max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        return cic_fail(err, CIC_TOO_MANY_PIXELS, "JPEG is %u x %u, more than %llu pixels",
                        *width, *height, (unsigned long long)max_pixels);
    }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGBA;
    cinfo.scale_num = 1;
    cinfo.scale_denom = reduction;
    jpeg_calc_output_dimensions(&cinfo);
    *width = cinfo.output_width;
    *height = cinfo.output_height;
    uint64_t output_pixels = (uint64_t)cinfo.output_width * cinfo.output_height;
    if (out == NULL || output_pixels * 4 != out_size) {
        jpeg_destroy_decompress(&cinfo);
        return cic_fail(err, CIC_BAD_ARGUMENT, "output buffer is %zu bytes, %u x %u RGBA needs %llu",
                        out_size, *width, *height, (unsigned long long)(output_pixels * 4));
    }
    jpeg_start_decompress(&cinfo);
    // Multi-scan (progressive) files are read whole here; running out now
    // means scans are missing even if no scan was cut mid-way.
    int eof_before_output = jerr.saw_eof;

    size_t stride = (size_t)cinfo.output_width * 4;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + (size_t)cinfo.output_scanline * stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (cmyk) cmyk_row_to_rgba(row, cinfo.output_width, cinfo.saw_Adobe_marker);
    }
    // A baseline file missing only its final EOI marker also makes libjpeg
    // hit the end (it reads ahead), but without any scan data missing; that
    // image is complete and is accepted, as browsers do.
    int truncated = jerr.saw_eof && (jerr.saw_missing_data || eof_before_output);
    // jpeg_finish_decompress is skipped on purpose: it only reads trailing
    // markers, and junk after the image must not fail a complete decode.
    jpeg_destroy_decompress(&cinfo);
    if (truncated) return cic_fail(err, CIC_TRUNCATED, "JPEG data ends before the image is complete");
    return CIC_OK;
}

int cic_jpeg_encode(const uint8_t *rgba, uint32_t width, uint32_t height, int quality,
                    uint8_t **out, size_t *out_size, char *err) {
    cic_clear(err);
    *out = NULL;
    *out_size = 0;
    if (rgba == NULL || width == 0 || height == 0)
        return cic_fail(err, CIC_BAD_ARGUMENT, "cannot encode an empty %u x %u image", width, height);

    struct jpeg_compress_struct cinfo;
    struct cic_jpeg_error jerr;
    // jpeg_mem_dest grows this buffer with malloc/free and keeps *buffer
    // pointing at the current one, so it can be freed after a longjmp.
    unsigned char *buffer = NULL;
    unsigned long length = 0;
    cic_jpeg_error_init(&jerr, (j_common_ptr)&cinfo);
    if (setjmp(jerr.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return cic_fail(err, CIC_ENCODE_FAILED, "%s", jerr.message);
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &length);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_EXT_RGBA;  // libjpeg-turbo skips the alpha byte
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * 4;
    while (cinfo.next_scanline < cinfo.image_height) {
        // JSAMPROW is not const, but compression only reads the rows.
        JSAMPROW row = (JSAMPROW)(rgba + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = length;
    return CIC_OK;
}
