/* capture_writer.h: -w FILE, the packets of flagged connections (those
 * with an event), written by a second pass over each input with a fresh
 * pipeline that numbers streams exactly as the first did.  Owns the output
 * file and its pcap dumper.  Includes <pcap/pcap.h> (in the .c only). */
#ifndef TCPDISSECT_CAPTURE_WRITER_H
#define TCPDISSECT_CAPTURE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline.h"
#include "source.h"

struct capture_writer;

/* NULL and a message in err when path cannot be created (tested by
 * opening it now, so that a typo fails before any analysis). */
struct capture_writer *capture_writer_open(const char *path, char *err, size_t len);
/* Re-read path (a regular file: stdin cannot be read twice) up to the
 * frames the first pass read, with the same filter, through replay, and
 * write every packet whose stream first (the first pass) flagged. */
enum source_status capture_writer_flagged(struct capture_writer *w, const char *path,
    const struct input_info *in, const struct source_opts *o, struct pipeline *replay,
    const struct pipeline *first);
/* Flush and close; false (message printed) when writing failed. */
bool capture_writer_close(struct capture_writer *w);

#endif /* TCPDISSECT_CAPTURE_WRITER_H */
