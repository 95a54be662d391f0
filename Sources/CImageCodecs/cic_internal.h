// Helpers shared by the codec files; not part of the public header.
#ifndef CIC_INTERNAL_H
#define CIC_INTERNAL_H

#include "cimagecodecs.h"

/// Writes a printf-style message into `err` (CIC_ERROR_CAPACITY bytes, may be
/// NULL) and returns `status`, so error paths read `return cic_fail(...)`.
int cic_fail(char *err, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// Empties `err` (the success state).
void cic_clear(char *err);

#endif
