// libpng + libjpeg-turbo behind plain C functions that Swift can call safely.
//
// Both libraries report errors with setjmp/longjmp (libjpeg's default handler
// even calls exit()), and a longjmp must never cross Swift frames. Every
// function here owns its setjmp (or uses libpng's simplified png_image_* API,
// which owns its own), so a corrupt or hostile image comes back as a status
// code plus a readable message, never as a jump or a process exit.
//
// Only <stddef.h>/<stdint.h> are included so the Swift module does not import
// the whole of libpng and libjpeg.
#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Size of the `err` buffer every function takes; the message is always
/// NUL-terminated and empty on success.
#define CIC_ERROR_CAPACITY 200

// Status codes (the int every function returns).
#define CIC_OK 0
#define CIC_EMPTY 1             // zero bytes
#define CIC_NOT_AN_IMAGE 2      // neither PNG nor JPEG magic bytes
#define CIC_TRUNCATED 3         // the data ends before the image does
#define CIC_TOO_MANY_PIXELS 4   // width*height above the caller's limit; width/height are filled
#define CIC_CORRUPT 5           // malformed data (bad CRC, bad marker, bad zlib stream, ...)
#define CIC_ENCODE_FAILED 6     // encoding failed (dimension limits, out of memory)
#define CIC_BAD_ARGUMENT 7      // the caller broke a precondition (buffer size, zero dimensions)

// Formats reported by cic_probe.
#define CIC_FORMAT_PNG 1
#define CIC_FORMAT_JPEG 2

/// Recognises PNG or JPEG by its magic bytes and reads the dimensions from the
/// header only (PNG: the IHDR chunk, CRC-checked; JPEG: jpeg_read_header, which
/// stops at the first scan). No pixel data is decoded. A header cut short is
/// CIC_TRUNCATED.
int cic_probe(const uint8_t *data, size_t size,
              int *format, uint32_t *width, uint32_t *height, char *err);

/// Decodes a PNG into straight-alpha RGBA8, rows top to bottom, no padding.
/// The header is read first; if width*height exceeds max_pixels the function
/// returns CIC_TOO_MANY_PIXELS (with width/height filled) before any pixel
/// work. `out` is the caller's buffer and must be exactly width*height*4 bytes
/// (get the dimensions from cic_probe). Any CRC error in a critical chunk
/// (IHDR, IDAT, ...) fails.
int cic_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                   uint8_t *out, size_t out_size,
                   uint32_t *width, uint32_t *height, char *err);

/// Checks that a PNG is complete and intact without producing its pixels:
/// every chunk's CRC, the chunk order, a valid IHDR, the whole zlib stream
/// (Adler-32 included) and exactly the scanlines IHDR declares, each with a
/// valid filter type. Un-filtering, the one decoding step skipped, is defined
/// for any bytes and cannot fail, so a file that passes decodes completely.
/// Memory is a fixed 1 MB plus zlib's state, whatever the image size. As
/// with cic_png_decode, width*height above max_pixels is CIC_TOO_MANY_PIXELS
/// (width/height filled) before any inflating; a file cut short is
/// CIC_TRUNCATED; anything malformed is CIC_CORRUPT.
int cic_png_check(const uint8_t *data, size_t size, uint64_t max_pixels,
                  uint32_t *width, uint32_t *height, char *err);

/// Decodes a JPEG (baseline or progressive; grayscale, YCbCr, RGB or CMYK)
/// into RGBA8 with alpha 255, same contract as cic_png_decode. A file that
/// ends before its image data is complete is CIC_TRUNCATED (libjpeg itself
/// would only warn and paint the rest grey).
int cic_jpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                    uint8_t *out, size_t out_size,
                    uint32_t *width, uint32_t *height, char *err);

/// cic_jpeg_decode at 1/`reduction` of the size (1, 2, 4 or 8), using
/// libjpeg's DCT scaling: each side becomes ceil(side / reduction), and the
/// work shrinks with the pixels. `max_pixels` still applies to the full
/// size; `out` must fit the reduced size, which *width and *height report.
int cic_jpeg_decode_reduced(const uint8_t *data, size_t size, uint64_t max_pixels, unsigned reduction,
                            uint8_t *out, size_t out_size,
                            uint32_t *width, uint32_t *height, char *err);

/// Encodes straight-alpha RGBA8 (width*height*4 bytes) as an 8-bit RGBA PNG.
/// On success *out is a malloc'd buffer of *out_size bytes; release it with
/// cic_free. On failure *out is NULL.
int cic_png_encode(const uint8_t *rgba, uint32_t width, uint32_t height,
                   uint8_t **out, size_t *out_size, char *err);

/// Encodes RGBA8 as a baseline YCbCr JPEG at `quality` (clamped to 1...100).
/// The alpha channel is ignored (JPEG has none). Output as for cic_png_encode.
int cic_jpeg_encode(const uint8_t *rgba, uint32_t width, uint32_t height, int quality,
                    uint8_t **out, size_t *out_size, char *err);

// ImageResizer's inner loops. They are in C because Swift compiles them to
// scalar code with a checked conversion per channel, which made downscaling
// three quarters of preparing an upload; clang vectorises these. A pixel is
// four floats, 16-byte aligned: (R·A, G·A, B·A, A), channels 0...255.

/// `rgba` (`pixels` straight-alpha RGBA8) to premultiplied float pixels.
void cic_premultiply_row(const uint8_t *rgba, float *out, size_t pixels);

/// One output pixel per destination column d: the weighted sum of the
/// `taps` source pixels from `first[d]`, with weights `weights[d·taps ...]`
/// (zero-padded, so every column has the same number of taps).
void cic_average_row(const float *row, const ptrdiff_t *first, const float *weights, size_t taps,
                     float *out, size_t destination);

/// `sum += weight · row` over `pixels` pixels.
void cic_add_scaled_row(const float *row, float weight, float *sum, size_t pixels);

/// Premultiplied sums back to straight-alpha RGBA8: each channel divided by
/// A, plus 0.5, clamped to 0...255 and truncated (round half up); A = 0
/// gives (0,0,0,0).
void cic_unpremultiply_row(const float *sums, uint8_t *out, size_t pixels);

/// Frees a buffer returned by an encode function.
void cic_free(void *buffer);

#ifdef __cplusplus
}
#endif

#endif
