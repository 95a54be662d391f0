// ImageResizer's inner loops (see cimagecodecs.h for why they are in C).
#include <string.h>

#include "cic_internal.h"

// Products and sums are rounded one by one, on every architecture: a fused
// multiply-add would make results depend on the machine.
#pragma clang fp contract(off)

typedef float pixel4 __attribute__((ext_vector_type(4)));
typedef int int4 __attribute__((ext_vector_type(4)));
typedef uint8_t byte4 __attribute__((ext_vector_type(4)));

void cic_premultiply_row(const uint8_t *rgba, float *out, size_t pixels) {
    pixel4 *target = (pixel4 *)out;
    for (size_t i = 0; i < pixels; i++) {
        byte4 bytes;
        memcpy(&bytes, rgba + i * 4, 4);
        pixel4 colour = __builtin_convertvector(bytes, pixel4);
        pixel4 premultiplied = colour * colour.w;
        premultiplied.w = colour.w;
        target[i] = premultiplied;
    }
}

/// `taps` is a constant at each call site below, so the inner loop unrolls.
static inline __attribute__((always_inline)) void average_taps(
    const pixel4 *source, const ptrdiff_t *first, const float *weights, size_t taps, pixel4 *out, size_t destination) {
    for (size_t d = 0; d < destination; d++) {
        const pixel4 *pixel = source + first[d];
        const float *weight = weights + d * taps;
        pixel4 total = 0;
        for (size_t k = 0; k < taps; k++) total += pixel[k] * weight[k];
        out[d] = total;
    }
}

void cic_average_row(const float *row, const ptrdiff_t *first, const float *weights, size_t taps,
                     float *out, size_t destination) {
    const pixel4 *source = (const pixel4 *)row;
    pixel4 *target = (pixel4 *)out;
    switch (taps) {
    case 1: average_taps(source, first, weights, 1, target, destination); break;
    case 2: average_taps(source, first, weights, 2, target, destination); break;
    case 3: average_taps(source, first, weights, 3, target, destination); break;
    case 4: average_taps(source, first, weights, 4, target, destination); break;
    case 5: average_taps(source, first, weights, 5, target, destination); break;
    case 6: average_taps(source, first, weights, 6, target, destination); break;
    case 7: average_taps(source, first, weights, 7, target, destination); break;
    case 8: average_taps(source, first, weights, 8, target, destination); break;
    default: average_taps(source, first, weights, taps, target, destination); break;
    }
}

void cic_add_scaled_row(const float *row, float weight, float *sum, size_t pixels) {
    for (size_t i = 0; i < pixels * 4; i++) sum[i] += weight * row[i];
}

void cic_unpremultiply_row(const float *sums, uint8_t *out, size_t pixels) {
    const pixel4 *source = (const pixel4 *)sums;
    const pixel4 low = 0.0f, high = 255.0f;
    for (size_t i = 0; i < pixels; i++) {
        pixel4 pixel = source[i];
        float alpha = pixel.w;
        pixel4 straight = pixel * (alpha > 0.0f ? 1.0f / alpha : 0.0f);
        straight.w = alpha;
        straight = __builtin_elementwise_min(__builtin_elementwise_max(straight + 0.5f, low), high);
        // In range, so conversion truncates (as Swift's UInt8(Float)).
        byte4 bytes = __builtin_convertvector(__builtin_convertvector(straight, int4), byte4);
        memcpy(out + i * 4, &bytes, 4);
    }
}
