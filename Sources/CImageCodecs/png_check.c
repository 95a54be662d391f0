// Complete PNG integrity check without producing pixels.
//
// Layers from the model are stored byte for byte, so the worker never needs
// their pixels; it needs to know that the file is whole and intact. libpng's
// full decode spends two thirds of its time reversing the scanline filters
// (Paeth above all) and writes 4 bytes per pixel into a buffer the size of the
// image, but un-filtering is defined for every byte sequence and cannot fail:
// a file is intact exactly when its chunks, its zlib stream and its scanline
// layout are. This walks all of those, streaming the inflated bytes through
// one fixed buffer:
//
// - signature; every chunk's CRC (critical and ancillary); chunk order (IHDR
//   first, PLTE before IDAT, IDAT consecutive, IEND last); no unknown critical
//   chunk; a valid IHDR;
// - the pixel cap from IHDR, before any inflating (a decompression bomb costs
//   nothing);
// - the whole zlib stream inflated, its Adler-32 checked by zlib;
// - exactly the scanline bytes IHDR declares (Adam7 passes included), each
//   row starting with a valid filter type (0...4).
//
// Two ways to inflate, one verdict. First the whole stream at once with
// libdeflate (about three times zlib's speed) into a buffer of exactly the
// scanline bytes IHDR declares: it passes only when libdeflate inflates it
// completely to exactly that size, nothing follows the Adler-32, the
// Adler-32 matches (libdeflate's vectorised sum) and every row has a valid
// filter type. Anything else — and images whose scanlines exceed
// WHOLE_BUFFER_LIMIT — is checked again by the streaming zlib walk below,
// whose verdict and message stand, so a PNG is refused exactly when zlib
// refuses it, with zlib's words.
//
// The Adler-32 of the inflated bytes is computed here rather than by zlib:
// zlib's scalar loop was half the cost of the whole check, a vectorised one
// is a tenth of that. zlib still parses the stream's trailer; the four
// bytes it consumed are compared with our sum.
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>
#define CIC_HAVE_SSSE3 1
#endif

#include "cic_internal.h"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/// Inflated bytes pass through this many bytes of scratch, whatever the image
/// size. Not smaller: zlib copies the last 32 KB of every output buffer into
/// its window, which costs a quarter of the check at 64 KB and little at 1 MB.
#define CHECK_BUFFER_SIZE (1024 * 1024)

/// Most scanline bytes inflated whole (libdeflate needs the whole output as
/// its window): 64 MiB, a 16-megapixel RGBA layer. Larger images stream
/// through zlib in CHECK_BUFFER_SIZE.
#define WHOLE_BUFFER_LIMIT ((uint64_t)64 << 20)

/// Internal: the whole-buffer pass did not prove the image intact; the
/// streaming zlib pass decides.
#define CHECK_AGAIN_WITH_ZLIB (-1)

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// MARK: Adler-32 (RFC 1950)

#define ADLER_BASE 65521u
/// Most bytes that can be summed before the 32-bit sums must be reduced (zlib's NMAX).
#define ADLER_NMAX 5552

static uint32_t adler32_scalar(uint32_t adler, const uint8_t *p, size_t n) {
    uint32_t a = adler & 0xFFFF, b = adler >> 16;
    while (n > 0) {
        size_t k = n < ADLER_NMAX ? n : ADLER_NMAX;
        n -= k;
        while (k--) {
            a += *p++;
            b += a;
        }
        a %= ADLER_BASE;
        b %= ADLER_BASE;
    }
    return (b << 16) | a;
}

#ifdef CIC_HAVE_SSSE3
/// 32 bytes a step. For bytes d0...d31 entering with sum a: a += Σd and
/// b += 32·a + Σ (32 - i)·di; the first is PSADBW, the second PMADDUBSW with
/// the weights 32...1, and the 32·a terms are gathered in `ps` (the value of
/// the byte sums before each step) and added once at the end of a run.
__attribute__((target("ssse3")))
static uint32_t adler32_ssse3(uint32_t adler, const uint8_t *p, size_t n) {
    uint32_t a = adler & 0xFFFF, b = adler >> 16;
    const __m128i weights_high = _mm_setr_epi8(32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17);
    const __m128i weights_low = _mm_setr_epi8(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    const __m128i ones = _mm_set1_epi16(1);
    const __m128i zero = _mm_setzero_si128();
    while (n >= 32) {
        size_t steps = n / 32;
        if (steps > ADLER_NMAX / 32) steps = ADLER_NMAX / 32;
        n -= steps * 32;
        __m128i ps = _mm_setr_epi32((int)(a * steps), 0, 0, 0);
        __m128i s1 = zero, s2 = zero;
        do {
            __m128i first = _mm_loadu_si128((const __m128i *)p);
            __m128i second = _mm_loadu_si128((const __m128i *)(p + 16));
            ps = _mm_add_epi32(ps, s1);
            s1 = _mm_add_epi32(s1, _mm_add_epi32(_mm_sad_epu8(first, zero), _mm_sad_epu8(second, zero)));
            s2 = _mm_add_epi32(s2, _mm_madd_epi16(_mm_maddubs_epi16(first, weights_high), ones));
            s2 = _mm_add_epi32(s2, _mm_madd_epi16(_mm_maddubs_epi16(second, weights_low), ones));
            p += 32;
        } while (--steps);
        s2 = _mm_add_epi32(s2, _mm_slli_epi32(ps, 5));
        uint32_t lanes1[4], lanes2[4];
        _mm_storeu_si128((__m128i *)lanes1, s1);
        _mm_storeu_si128((__m128i *)lanes2, s2);
        a += lanes1[0] + lanes1[1] + lanes1[2] + lanes1[3];
        b += lanes2[0] + lanes2[1] + lanes2[2] + lanes2[3];
        a %= ADLER_BASE;
        b %= ADLER_BASE;
    }
    return adler32_scalar((b << 16) | a, p, n);
}
#endif

static uint32_t adler32_update(uint32_t adler, const uint8_t *p, size_t n) {
#ifdef CIC_HAVE_SSSE3
    if (__builtin_cpu_supports("ssse3")) return adler32_ssse3(adler, p, n);
#endif
    return adler32_scalar(adler, p, n);
}

// MARK: Chunks and scanlines

static int is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/// Walks the scanline layout as inflated bytes arrive: which pass, how many
/// rows are left in it, how long a row is (filter byte included), and where
/// in the current row the next byte falls.
struct scanlines {
    uint32_t width, height;
    unsigned bits_per_pixel;
    int interlaced;
    int pass;  // next Adam7 pass to start (0...7); non-interlaced images have one pass
    uint64_t rows_left;
    uint64_t row_length;
    uint64_t position;
    uint64_t row;  // rows completed, for messages
    int complete;
};

// Adam7: first column, first row, column step, row step of each pass.
static const uint32_t adam7[7][4] = {
    {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
};

static uint64_t row_length(const struct scanlines *s, uint32_t pixels) {
    return 1 + ((uint64_t)pixels * s->bits_per_pixel + 7) / 8;
}

/// Moves to the next pass that has any rows (empty passes have no bytes at all).
static void next_pass(struct scanlines *s) {
    if (!s->interlaced) {
        if (s->pass == 0) {
            s->pass = 1;
            s->rows_left = s->height;
            s->row_length = row_length(s, s->width);
            return;
        }
        s->complete = 1;
        return;
    }
    while (s->pass < 7) {
        const uint32_t *p = adam7[s->pass++];
        uint32_t columns = s->width > p[0] ? (s->width - p[0] + p[2] - 1) / p[2] : 0;
        uint32_t rows = s->height > p[1] ? (s->height - p[1] + p[3] - 1) / p[3] : 0;
        if (columns > 0 && rows > 0) {
            s->rows_left = rows;
            s->row_length = row_length(s, columns);
            return;
        }
    }
    s->complete = 1;
}

static int take_scanline_bytes(struct scanlines *s, const uint8_t *bytes, size_t count, char *err) {
    while (count > 0) {
        if (s->complete)
            return cic_fail(err, CIC_CORRUPT, "PNG has more image data than its %u x %u header declares",
                            s->width, s->height);
        if (s->position == 0 && bytes[0] > 4)
            return cic_fail(err, CIC_CORRUPT, "PNG row %llu has an invalid filter type %u",
                            (unsigned long long)s->row, bytes[0]);
        uint64_t left = s->row_length - s->position;
        size_t take = left < count ? (size_t)left : count;
        bytes += take;
        count -= take;
        s->position += take;
        if (s->position == s->row_length) {
            s->position = 0;
            s->row++;
            if (--s->rows_left == 0) next_pass(s);
        }
    }
    return CIC_OK;
}

/// Bits per pixel for a valid colour type / bit depth pair, 0 otherwise.
static unsigned bits_per_pixel(uint8_t color_type, uint8_t depth) {
    int depth_ok = 0;
    unsigned channels = 0;
    switch (color_type) {
    case 0: channels = 1; depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16; break;
    case 2: channels = 3; depth_ok = depth == 8 || depth == 16; break;
    case 3: channels = 1; depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8; break;
    case 4: channels = 2; depth_ok = depth == 8 || depth == 16; break;
    case 6: channels = 4; depth_ok = depth == 8 || depth == 16; break;
    default: return 0;
    }
    return depth_ok ? channels * depth : 0;
}

struct check_state {
    /// 1: gather the IDAT run and inflate it whole with libdeflate; 0: stream it through zlib.
    int whole;
    uint8_t *raw;          // the scanline bytes, whole (raw_size of them)
    uint64_t raw_size;
    const uint8_t *idat;   // the IDAT run's data: in place when one chunk, else `gathered`
    uint8_t *gathered;
    size_t idat_length;
    z_stream zlib;
    int zlib_ready;
    uint8_t *buffer;
    struct scanlines layout;
    int stream_ended;
    uint32_t adler;      // of the inflated bytes so far
    uint8_t recent[4];   // the last four compressed bytes fed to zlib (its trailer, at the end)
};

/// Remembers the last four bytes of `bytes` (with the ones before, if fewer).
static void remember_recent(struct check_state *st, const uint8_t *bytes, size_t count) {
    if (count >= 4) {
        memcpy(st->recent, bytes + count - 4, 4);
    } else if (count > 0) {
        memmove(st->recent, st->recent + count, 4 - count);
        memcpy(st->recent + 4 - count, bytes, count);
    }
}

static int check_ihdr(struct check_state *st, const uint8_t *d, uint32_t length, uint64_t max_pixels,
                      uint32_t *width, uint32_t *height, char *err) {
    if (length != 13) return cic_fail(err, CIC_CORRUPT, "PNG IHDR chunk has length %u, not 13", length);
    uint32_t w = be32(d), h = be32(d + 4);
    if (w == 0 || h == 0 || w > 0x7FFFFFFFu || h > 0x7FFFFFFFu)
        return cic_fail(err, CIC_CORRUPT, "PNG header has invalid dimensions %u x %u", w, h);
    *width = w;
    *height = h;
    unsigned bpp = bits_per_pixel(d[9], d[8]);
    if (bpp == 0) return cic_fail(err, CIC_CORRUPT, "PNG has colour type %u with invalid bit depth %u", d[9], d[8]);
    if (d[10] != 0) return cic_fail(err, CIC_CORRUPT, "PNG has unknown compression method %u", d[10]);
    if (d[11] != 0) return cic_fail(err, CIC_CORRUPT, "PNG has unknown filter method %u", d[11]);
    if (d[12] > 1) return cic_fail(err, CIC_CORRUPT, "PNG has unknown interlace method %u", d[12]);
    if ((uint64_t)w * h > max_pixels)
        return cic_fail(err, CIC_TOO_MANY_PIXELS, "PNG is %u x %u, more than %llu pixels", w, h,
                        (unsigned long long)max_pixels);
    memset(&st->layout, 0, sizeof st->layout);
    st->layout.width = w;
    st->layout.height = h;
    st->layout.bits_per_pixel = bpp;
    st->layout.interlaced = d[12];
    next_pass(&st->layout);
    if (st->whole) {
        struct scanlines walk = st->layout;
        uint64_t total = 0;
        while (!walk.complete) {
            total += walk.rows_left * walk.row_length;
            next_pass(&walk);
        }
        if (total <= WHOLE_BUFFER_LIMIT) {
            st->raw_size = total;
            return CIC_OK;
        }
        st->whole = 0;  // too large to hold whole: stream it
    }
    // zlib's inflate state and 32 KB window, then the scratch the stream is inflated into.
    if (inflateInit(&st->zlib) != Z_OK) return cic_fail(err, CIC_CORRUPT, "cannot start zlib (out of memory)");
    st->zlib_ready = 1;
    inflateValidate(&st->zlib, 0);  // the check value is ours (adler32_update)
    st->adler = 1;
    st->buffer = malloc(CHECK_BUFFER_SIZE);
    if (st->buffer == NULL) return cic_fail(err, CIC_CORRUPT, "out of memory");
    return CIC_OK;
}

static int check_idat(struct check_state *st, const uint8_t *d, uint32_t length, char *err) {
    if (length == 0) return CIC_OK;
    if (st->stream_ended) return cic_fail(err, CIC_CORRUPT, "PNG has data after the end of its compressed image");
    st->zlib.next_in = (Bytef *)d;  // zlib never writes through next_in
    st->zlib.avail_in = length;
    do {
        st->zlib.next_out = st->buffer;
        st->zlib.avail_out = CHECK_BUFFER_SIZE;
        int z = inflate(&st->zlib, Z_NO_FLUSH);
        if (z != Z_OK && z != Z_STREAM_END && z != Z_BUF_ERROR) {
            const char *why = st->zlib.msg != NULL ? st->zlib.msg : z == Z_MEM_ERROR ? "out of memory" : "bad data";
            return cic_fail(err, CIC_CORRUPT, "PNG compressed image data is invalid (zlib: %s)", why);
        }
        size_t produced = CHECK_BUFFER_SIZE - st->zlib.avail_out;
        int status = take_scanline_bytes(&st->layout, st->buffer, produced, err);
        if (status != CIC_OK) return status;
        st->adler = adler32_update(st->adler, st->buffer, produced);
        if (z == Z_STREAM_END) {
            st->stream_ended = 1;
            if (st->zlib.avail_in > 0)
                return cic_fail(err, CIC_CORRUPT, "PNG has data after the end of its compressed image");
            remember_recent(st, d, length);
            if (be32(st->recent) != st->adler)
                return cic_fail(err, CIC_CORRUPT, "PNG compressed image data is invalid (zlib: incorrect data check)");
            if (!st->layout.complete)
                return cic_fail(err, CIC_TRUNCATED, "PNG image data ends early (at row %llu of %u)",
                                (unsigned long long)st->layout.row, st->layout.height);
            return CIC_OK;
        }
        if (z == Z_BUF_ERROR && st->zlib.avail_out != 0) break;  // needs more input
    } while (st->zlib.avail_in > 0 || st->zlib.avail_out == 0);
    remember_recent(st, d, length);
    return CIC_OK;
}

/// Whole mode: the IDAT run starting at `chunk_offset` (a chunk's length field), in one piece.
/// One chunk is used in place; several are copied together (compressed bytes, a fraction of the
/// scanlines). The run's chunks were not checked yet: a malformed one ends the run here and
/// check_chunks refuses it as it walks on.
static int gather_idat_run(struct check_state *st, const uint8_t *data, size_t size, size_t chunk_offset) {
    size_t total = 0, chunks = 0;
    for (size_t offset = chunk_offset; size - offset >= 12 && memcmp(data + offset + 4, "IDAT", 4) == 0;) {
        uint32_t length = be32(data + offset);
        if (length > 0x7FFFFFFFu || size - offset - 12 < length) break;
        total += length;
        chunks++;
        offset += 12 + (size_t)length;
    }
    if (chunks == 1) {
        st->idat = data + chunk_offset + 8;
    } else {
        st->gathered = malloc(total > 0 ? total : 1);
        if (st->gathered == NULL) return CHECK_AGAIN_WITH_ZLIB;
        size_t filled = 0;
        for (size_t offset = chunk_offset; filled < total;) {
            uint32_t length = be32(data + offset);
            memcpy(st->gathered + filled, data + offset + 8, length);
            filled += length;
            offset += 12 + (size_t)length;
        }
        st->idat = st->gathered;
    }
    st->idat_length = total;
    return CIC_OK;
}

/// Whole mode, at the end of the IDAT run: CIC_OK when the stream is proved intact, else
/// CHECK_AGAIN_WITH_ZLIB (never a verdict of its own: zlib gives that, and its message).
static int inflate_whole(struct check_state *st, char *err) {
    const uint8_t *z = st->idat;
    size_t n = st->idat_length;
    // The zlib header (RFC 1950): deflate, a window of at most 32 KiB, FCHECK, no preset dictionary.
    if (n < 6 || (z[0] & 0x0F) != 8 || (z[0] >> 4) > 7 || ((unsigned)z[0] << 8 | z[1]) % 31 != 0 || (z[1] & 0x20))
        return CHECK_AGAIN_WITH_ZLIB;
    st->raw = malloc(st->raw_size > 0 ? st->raw_size : 1);
    struct libdeflate_decompressor *inflater = libdeflate_alloc_decompressor();
    if (st->raw == NULL || inflater == NULL) {
        libdeflate_free_decompressor(inflater);
        return CHECK_AGAIN_WITH_ZLIB;
    }
    size_t consumed = 0, produced = 0;
    enum libdeflate_result result =
        libdeflate_deflate_decompress_ex(inflater, z + 2, n - 2, st->raw, st->raw_size, &consumed, &produced);
    libdeflate_free_decompressor(inflater);
    if (result != LIBDEFLATE_SUCCESS || produced != st->raw_size || n - 2 - consumed != 4) return CHECK_AGAIN_WITH_ZLIB;
    if (libdeflate_adler32(1, st->raw, produced) != be32(z + 2 + consumed)) return CHECK_AGAIN_WITH_ZLIB;
    if (take_scanline_bytes(&st->layout, st->raw, produced, err) != CIC_OK || !st->layout.complete) {
        cic_clear(err);
        return CHECK_AGAIN_WITH_ZLIB;
    }
    st->stream_ended = 1;
    return CIC_OK;
}

static int check_chunks(struct check_state *st, const uint8_t *data, size_t size, uint64_t max_pixels,
                        uint32_t *width, uint32_t *height, char *err) {
    size_t offset = sizeof png_signature;
    int seen_ihdr = 0, seen_plte = 0;
    int idat = 0;  // 0 none yet, 1 in the IDAT run, 2 after it
    uint8_t color_type = 0;
    for (;;) {
        if (size - offset < 12) {
            return cic_fail(err, CIC_TRUNCATED, "PNG data ends early (%s)",
                            offset == size ? "no IEND chunk" : "inside a chunk header");
        }
        uint32_t length = be32(data + offset);
        const uint8_t *type = data + offset + 4;
        if (length > 0x7FFFFFFFu) return cic_fail(err, CIC_CORRUPT, "PNG chunk length %u is invalid", length);
        if (!is_letter(type[0]) || !is_letter(type[1]) || !is_letter(type[2]) || !is_letter(type[3]))
            return cic_fail(err, CIC_CORRUPT, "PNG has an invalid chunk type at byte %zu", offset);
        if (size - offset - 12 < length)
            return cic_fail(err, CIC_TRUNCATED, "PNG data ends early (inside a %.4s chunk)", (const char *)type);
        const uint8_t *chunk = type + 4;
        if (libdeflate_crc32(0, type, 4 + (size_t)length) != be32(chunk + length))
            return cic_fail(err, CIC_CORRUPT, "CRC error in %.4s chunk at byte %zu", (const char *)type, offset);
        size_t chunk_offset = offset;
        offset += 12 + (size_t)length;

        int status = CIC_OK;
        if (!seen_ihdr) {
            if (memcmp(type, "IHDR", 4) != 0) return cic_fail(err, CIC_CORRUPT, "PNG does not start with an IHDR chunk");
            seen_ihdr = 1;
            color_type = chunk[9];
            status = check_ihdr(st, chunk, length, max_pixels, width, height, err);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            if (idat == 2) return cic_fail(err, CIC_CORRUPT, "PNG has IDAT chunks that are not consecutive");
            if (color_type == 3 && !seen_plte) return cic_fail(err, CIC_CORRUPT, "PNG palette image has no PLTE chunk");
            if (st->whole) {
                if (idat == 0) status = gather_idat_run(st, data, size, chunk_offset);
            } else {
                status = check_idat(st, chunk, length, err);
            }
            idat = 1;
        } else {
            if (idat == 1) {
                idat = 2;
                if (st->whole && (status = inflate_whole(st, err)) != CIC_OK) return status;
            }
            if (memcmp(type, "IEND", 4) == 0) {
                if (idat == 0) return cic_fail(err, CIC_CORRUPT, "PNG has no IDAT chunk");
                if (!st->stream_ended)
                    return cic_fail(err, CIC_TRUNCATED, "PNG image data ends early (at row %llu of %u)",
                                    (unsigned long long)st->layout.row, st->layout.height);
                return CIC_OK;  // bytes after IEND are ignored, as libpng does
            } else if (memcmp(type, "PLTE", 4) == 0) {
                if (idat != 0 || seen_plte) return cic_fail(err, CIC_CORRUPT, "PNG has a misplaced PLTE chunk");
                if (color_type == 0 || color_type == 4)
                    return cic_fail(err, CIC_CORRUPT, "PNG greyscale image has a PLTE chunk");
                if (length == 0 || length % 3 != 0 || length / 3 > 256)
                    return cic_fail(err, CIC_CORRUPT, "PNG PLTE chunk has invalid length %u", length);
                seen_plte = 1;
            } else if (memcmp(type, "IHDR", 4) == 0) {
                return cic_fail(err, CIC_CORRUPT, "PNG has a second IHDR chunk");
            } else if (!(type[0] & 0x20)) {
                return cic_fail(err, CIC_CORRUPT, "PNG has an unknown critical chunk %.4s", (const char *)type);
            }
        }
        if (status != CIC_OK) return status;
    }
}

int cic_png_check(const uint8_t *data, size_t size, uint64_t max_pixels,
                  uint32_t *width, uint32_t *height, char *err) {
    cic_clear(err);
    *width = 0;
    *height = 0;
    if (data == NULL || size == 0) return cic_fail(err, CIC_EMPTY, "no bytes");
    size_t prefix = size < sizeof png_signature ? size : sizeof png_signature;
    if (memcmp(data, png_signature, prefix) != 0)
        return cic_fail(err, CIC_NOT_AN_IMAGE, "leading bytes are not a PNG signature");
    if (size == prefix) return cic_fail(err, CIC_TRUNCATED, "PNG ends inside its signature");

    // A refusal of the whole pass, whatever its reason, is checked again by zlib, whose verdict
    // stands: the codes and messages callers see are the streaming check's, and the whole pass
    // only ever shortens the way to CIC_OK.
    int status = CHECK_AGAIN_WITH_ZLIB;
    for (int whole = 1; whole >= 0 && status != CIC_OK; whole--) {
        struct check_state state;
        memset(&state, 0, sizeof state);
        state.whole = whole;
        status = check_chunks(&state, data, size, max_pixels, width, height, err);
        if (state.zlib_ready) inflateEnd(&state.zlib);
        free(state.buffer);
        free(state.raw);
        free(state.gathered);
    }
    return status;
}
