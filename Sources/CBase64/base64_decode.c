// Canonical base64 decoding for prediction replies: megabytes of layer PNGs per job.
// The AVX2 loop is the published algorithm of Wojciech Muła and Daniel Lemire ("Faster Base64
// Encoding and Decoding Using AVX2 Instructions", ACM TWEB 2018), as aklomp/base64 writes it:
// classify each byte by its nibbles (one shuffle each) so that any byte outside the alphabet
// stops the loop, add a per-class offset, then pack 32 six-bit values into 24 bytes. Everything
// the loop does not take — its last block, the padded final quad, a block with a byte outside
// the alphabet — goes through the portable loop, which is also the verdict on invalid text.

#include "cbase64.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Alphabet value of each byte; 0xFF for every byte outside the alphabet ('=' included).
static const uint8_t kValues[256] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3E, 0xFF, 0xFF, 0xFF, 0x3F,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
    0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x33, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

// Decodes whole quads of alphabet bytes from text[from..] up to the final quad, then the
// final quad (which may be padded); returns the total decoded length or -1.
static ptrdiff_t decode_rest(const uint8_t *text, size_t length, size_t from, uint8_t *out, size_t written) {
    size_t i = from, o = written;
    for (; i + 4 < length; i += 4) {
        uint8_t a = kValues[text[i]], b = kValues[text[i + 1]], c = kValues[text[i + 2]], d = kValues[text[i + 3]];
        if ((a | b | c | d) & 0x80) return -1;
        uint32_t word = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | d;
        out[o] = (uint8_t)(word >> 16);
        out[o + 1] = (uint8_t)(word >> 8);
        out[o + 2] = (uint8_t)word;
        o += 3;
    }
    uint8_t a = kValues[text[i]], b = kValues[text[i + 1]];
    if ((a | b) & 0x80) return -1;
    if (text[i + 2] == '=' && text[i + 3] == '=') {
        if (b & 0x0F) return -1;  // canonical: the unused bits are zero
        out[o++] = (uint8_t)(a << 2 | b >> 4);
        return (ptrdiff_t)o;
    }
    uint8_t c = kValues[text[i + 2]];
    if (c & 0x80) return -1;
    if (text[i + 3] == '=') {
        if (c & 0x03) return -1;
        out[o++] = (uint8_t)(a << 2 | b >> 4);
        out[o++] = (uint8_t)(b << 4 | c >> 2);
        return (ptrdiff_t)o;
    }
    uint8_t d = kValues[text[i + 3]];
    if (d & 0x80) return -1;
    out[o++] = (uint8_t)(a << 2 | b >> 4);
    out[o++] = (uint8_t)(b << 4 | c >> 2);
    out[o++] = (uint8_t)(c << 6 | d);
    return (ptrdiff_t)o;
}

#if defined(__x86_64__)
// Decodes 32 bytes at a time while at least 48 remain: the final quad (possibly padded) is never
// in a block, and each 32-byte store (24 bytes of output) stays inside the output, which has at
// least 10 more bytes to come. Stops at the first block holding a byte outside the alphabet.
__attribute__((target("avx2"))) static size_t decode_blocks_avx2(const uint8_t *text, size_t length, uint8_t *out, size_t *consumed) {
    const __m256i nibbleMask = _mm256_set1_epi8(0x2F);
    // Bit sets per low and high nibble whose AND is zero exactly for the 64 alphabet bytes.
    const __m256i lowClasses = _mm256_setr_epi8(
        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,
        0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
    const __m256i highClasses = _mm256_setr_epi8(
        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
        0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    // What to add to a byte to get its value, by high nibble ('/' is told apart from '+').
    const __m256i offsets = _mm256_setr_epi8(
        0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i packBytes = _mm256_setr_epi8(
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i packLanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1);
    size_t i = 0, o = 0;
    while (length - i >= 48) {
        __m256i block = _mm256_loadu_si256((const __m256i *)(text + i));
        __m256i high = _mm256_and_si256(_mm256_srli_epi32(block, 4), nibbleMask);
        __m256i low = _mm256_and_si256(block, nibbleMask);
        if (!_mm256_testz_si256(_mm256_shuffle_epi8(lowClasses, low), _mm256_shuffle_epi8(highClasses, high))) break;
        __m256i isSlash = _mm256_cmpeq_epi8(block, nibbleMask);
        __m256i values = _mm256_add_epi8(block, _mm256_shuffle_epi8(offsets, _mm256_add_epi8(isSlash, high)));
        // Pairs of 6-bit values into 12 bits, pairs of those into 24, then the 3 bytes of each
        // 32-bit lane together and the lanes' 12-byte halves together.
        __m256i pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
        __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
        __m256i packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(words, packBytes), packLanes);
        _mm256_storeu_si256((__m256i *)(out + o), packed);
        i += 32;
        o += 24;
    }
    *consumed = i;
    return o;
}
#endif

ptrdiff_t cbase64_decode_canonical_portable(const uint8_t *text, size_t length, uint8_t *out) {
    if (length == 0 || length % 4 != 0) return -1;
    return decode_rest(text, length, 0, out, 0);
}

ptrdiff_t cbase64_decode_canonical(const uint8_t *text, size_t length, uint8_t *out) {
    if (length == 0 || length % 4 != 0) return -1;
    size_t consumed = 0, written = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) written = decode_blocks_avx2(text, length, out, &consumed);
#endif
    return decode_rest(text, length, consumed, out, written);
}
