#include <string.h>

#include "jpeg_common.h"

__attribute__((noreturn)) static void cic_jpeg_error_exit(j_common_ptr cinfo) {
    struct cic_jpeg_error *jerr = (struct cic_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, jerr->message);
    longjmp(jerr->jump, 1);
}

static void cic_jpeg_emit_message(j_common_ptr cinfo, int msg_level) {
    struct cic_jpeg_error *jerr = (struct cic_jpeg_error *)cinfo->err;
    if (msg_level >= 0) return;  // trace messages
    cinfo->err->num_warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) jerr->saw_eof = 1;
    if (cinfo->err->msg_code == JWRN_HIT_MARKER) jerr->saw_missing_data = 1;
}

static void cic_jpeg_output_message(j_common_ptr cinfo) {
    (void)cinfo;  // never write to stderr
}

static void cic_jpeg_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > CIC_JPEG_MAX_SCANS) {
        struct cic_jpeg_error *jerr = (struct cic_jpeg_error *)cinfo->err;
        snprintf(jerr->message, sizeof jerr->message,
                 "JPEG has more than %d scans", CIC_JPEG_MAX_SCANS);
        longjmp(jerr->jump, 1);
    }
}

void cic_jpeg_error_init(struct cic_jpeg_error *jerr, j_common_ptr cinfo) {
    memset(jerr, 0, sizeof *jerr);
    cinfo->err = jpeg_std_error(&jerr->pub);
    jerr->pub.error_exit = cic_jpeg_error_exit;
    jerr->pub.emit_message = cic_jpeg_emit_message;
    jerr->pub.output_message = cic_jpeg_output_message;
}

void cic_jpeg_limit_scans(struct cic_jpeg_error *jerr, j_decompress_ptr cinfo) {
    jerr->progress.progress_monitor = cic_jpeg_progress;
    cinfo->progress = &jerr->progress;
}

int cic_jpeg_error_status(const struct cic_jpeg_error *jerr) {
    return jerr->saw_eof ? CIC_TRUNCATED : CIC_CORRUPT;
}
