// libjpeg error handling shared by the JPEG probe, decoder and encoder.
//
// libjpeg's default error_exit prints and calls exit(); ours formats the
// message and longjmps back to the C function that called setjmp on `jump`,
// which then destroys the codec object and returns a status. Warnings are
// kept off stderr but remembered, because libjpeg only *warns* when the data
// runs out (it inserts a fake end marker and paints the rest grey), and a
// truncated upload must be an error.
#ifndef CIC_JPEG_COMMON_H
#define CIC_JPEG_COMMON_H

#include <setjmp.h>
#include <stdio.h>  // jpeglib.h needs FILE and size_t declared first

#include <jerror.h>
#include <jpeglib.h>

#include "cic_internal.h"

/// Progressive JPEGs can carry thousands of tiny scans, each costing a pass
/// over the coefficient buffer (a known denial-of-service shape); libjpeg-turbo's
/// own TurboJPEG API uses the same kind of limit.
#define CIC_JPEG_MAX_SCANS 500

struct cic_jpeg_error {
    struct jpeg_error_mgr pub;  // first, so cinfo->err can be cast back
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int saw_eof;           // JWRN_JPEG_EOF: the input ran out (fake EOI inserted)
    int saw_missing_data;  // JWRN_HIT_MARKER: a scan ended before its data did
};

/// Points cinfo->err at `jerr` with the longjmp/silent handlers. Call before
/// jpeg_create_(de)compress, then setjmp(jerr->jump).
void cic_jpeg_error_init(struct cic_jpeg_error *jerr, j_common_ptr cinfo);

/// Installs the CIC_JPEG_MAX_SCANS limit on a decompressor.
void cic_jpeg_limit_scans(struct cic_jpeg_error *jerr, j_decompress_ptr cinfo);

/// After a longjmp while reading: CIC_TRUNCATED if the input had run out
/// (the real cause of whatever error followed), else CIC_CORRUPT.
int cic_jpeg_error_status(const struct cic_jpeg_error *jerr);

#endif
