#ifndef DECOMPOSER_CHIREDIS_SHIM_H
#define DECOMPOSER_CHIREDIS_SHIM_H

// hiredis 0.14 (Debian's libhiredis-dev). Only non-variadic entry points are
// used from Swift: redisAppendCommandArgv + redisGetReply.
#include <hiredis/hiredis.h>
#include <sys/time.h>

/// The socket of a context, so another thread can shutdown(2) it to interrupt
/// a blocking read (BLPOP during worker shutdown).
static inline int chiredis_fd(const redisContext *c) { return c->fd; }

/// Non-zero when the context hit an I/O or protocol error and must be dropped.
static inline int chiredis_err(const redisContext *c) { return c->err; }

static inline const char *chiredis_errstr(const redisContext *c) { return c->errstr; }

static inline redisReply *chiredis_reply_element(const redisReply *r, size_t i) {
    return r->element[i];
}

#endif
