#ifndef CBASE64_H
#define CBASE64_H

#include <stddef.h>
#include <stdint.h>

/// Decodes canonical standard base64 (RFC 4648 §4: padded, no line breaks, unused bits zero,
/// `=` only at the end) into `out`, which holds at least `length / 4 * 3` bytes.
/// Returns the decoded length, or -1 when the text is empty, its length is not a multiple of 4,
/// or any byte breaks those rules. Uses AVX2 when the CPU has it.
ptrdiff_t cbase64_decode_canonical(const uint8_t *text, size_t length, uint8_t *out);

/// The same without vector instructions: what CPUs without AVX2 run (the tests compare both).
ptrdiff_t cbase64_decode_canonical_portable(const uint8_t *text, size_t length, uint8_t *out);

#endif
