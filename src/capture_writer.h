/* capture_writer.h: -w FILE, the packets of flagged connections (those
 * with an event), written by a second pass over each input (through the
 * readers of source.c: every format and compression the analysis reads)
 * with a fresh pipeline that numbers streams exactly as the first did.
 * Owns the output file and its format: classic pcap with nanosecond
 * timestamps, or pcapng (one interface per link type) when the first
 * input is pcapng. */
#ifndef TCPDISSECT_CAPTURE_WRITER_H
#define TCPDISSECT_CAPTURE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pipeline.h"
#include "source.h"

struct capture_writer;

/* NULL and a message in err when path cannot be written (tested now,
 * so that a typo fails before any analysis), when it names one of the
 * inputs (same device and inode, through symlinks), or when it is a
 * symlink someone else planted (see capture_output_fopen).  "-" is
 * standard output.  A regular file is written to a temporary file beside
 * it and renamed into place by capture_writer_close(): a failed or
 * interrupted run never leaves a half-written capture under its name. */
struct capture_writer *capture_writer_open(const char *path, const char *const *inputs,
    unsigned ninputs, char *err, size_t len);
/* Open path for writing in place ("-": a copy of standard output): -w of a
 * live capture, after -Z.  A symlink as the last component is followed
 * only when it belongs to the writing user or to its directory's owner
 * (Linux's protected_symlinks rule), then opened with O_NOFOLLOW.  NULL
 * and a message in err on failure. */
FILE *capture_output_fopen(const char *path, char *err, size_t len);
/* Re-read path (a regular file: capture_writer_open refused standard
 * input, pipes and FIFOs, which cannot be read twice) up to the
 * frames the first pass read, with the same filter, through replay, and
 * write every packet whose stream first (the first pass) flagged. */
enum source_status capture_writer_flagged(struct capture_writer *w, const char *path,
    const struct input_info *in, const struct source_opts *o, struct pipeline *replay,
    const struct pipeline *first);
/* Flush and close; with keep, put the capture under its name; without
 * (the run failed), remove what was written.  false (message printed)
 * when writing failed. */
bool capture_writer_close(struct capture_writer *w, bool keep);

#endif /* TCPDISSECT_CAPTURE_WRITER_H */
