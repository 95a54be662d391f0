#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cic_internal.h"

int cic_fail(char *err, int status, const char *format, ...) {
    if (err != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(err, CIC_ERROR_CAPACITY, format, args);
        va_end(args);
    }
    return status;
}

void cic_clear(char *err) {
    if (err != NULL) err[0] = '\0';
}

void cic_free(void *buffer) {
    free(buffer);
}
