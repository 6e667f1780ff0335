/* capture_writer.c: -w, the packets of flagged connections
 * (capture_writer.h). */
#include "config.h"

#include "capture_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "util.h"

struct capture_writer {
	char		*path;
	pcap_t		*dead;		/* link type of the output */
	pcap_dumper_t	*dumper;
	bool		 failed;
};

struct capture_writer *
capture_writer_open(const char *path, char *err, size_t len)
{
	struct capture_writer *w = calloc(1, sizeof(*w));
	FILE *f;

	if (w == NULL || (w->path = strdup(path)) == NULL) {
		free(w);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	/* Created now, so that a bad path fails before the analysis; the
	 * pcap header is written once the first input's link type is known. */
	f = fopen(path, "wb");
	if (f == NULL) {
		snprintf(err, len, "%s", strerror(errno));
		free(w->path);
		free(w);
		return NULL;
	}
	fclose(f);
	return w;
}

static bool
writer_start(struct capture_writer *w, int linktype, const char *input)
{
	if (w->dumper != NULL) {
		if (pcap_datalink(w->dead) == linktype)
			return true;
		diag(input, "warning: -w: link type %d differs from the first input's %d; "
		    "its packets are not written", linktype, pcap_datalink(w->dead));
		return false;
	}
	w->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144,
	    PCAP_TSTAMP_PRECISION_NANO);
	if (w->dead == NULL) {
		diag(w->path, "cannot write: out of memory");
		w->failed = true;
		return false;
	}
	w->dumper = pcap_dump_open(w->dead, w->path);
	if (w->dumper == NULL) {
		diag(w->path, "cannot write: %s", pcap_geterr(w->dead));
		w->failed = true;
		return false;
	}
	return true;
}

enum source_status
capture_writer_flagged(struct capture_writer *w, const char *path, const struct input_info *in,
    const struct source_opts *o, struct pipeline *replay, const struct pipeline *first)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	bool have_prog = false, writing;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct packet pkt;
	pcap_t *pc;
	int rc;

	if (w->failed)
		return SOURCE_OPEN_FAILED;
	if (!pipeline_any_flagged(first) && w->dumper != NULL)
		return SOURCE_OK;		/* nothing of this input to write */
	errbuf[0] = '\0';
	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (pc == NULL) {
		diag(path, "-w: cannot read it again: %s", errbuf);
		return SOURCE_OPEN_FAILED;
	}
	writing = writer_start(w, pcap_datalink(pc), path);
	if (!writing || !pipeline_any_flagged(first)) {
		pcap_close(pc);
		return w->failed ? SOURCE_OPEN_FAILED : SOURCE_OK;
	}
	if (o->filter != NULL) {
		if (pcap_compile(pc, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			pcap_close(pc);
			return SOURCE_BAD_FILTER;
		}
		have_prog = true;
	}
	pipeline_begin_input(replay, in);
	memset(&pkt, 0, sizeof(pkt));
	pkt.file_index = in->index;
	pkt.linktype = pcap_datalink(pc);
	/* The same packets as the first pass, in the same order, so the
	 * replay numbers every stream as the first pass did. */
	while (pkt.frame < in->frames_read) {
		int64_t stream;

		rc = pcap_next_ex(pc, &h, &data);
		if (rc == PCAP_ERROR_BREAK || rc == PCAP_ERROR)
			break;
		if (rc != 1)
			continue;
		pkt.frame++;
		(void)source_record_ts(h, &pkt.ts_ns);
		pkt.caplen = h->caplen;
		pkt.wirelen = h->len;
		pkt.bytes = data;
		if (have_prog && pcap_offline_filter(&prog, h, data) == 0) {
			pipeline_packet_unmatched(replay, &pkt);
			continue;
		}
		stream = pipeline_packet(replay, &pkt);
		if (stream >= 0 && pipeline_stream_flagged(first, (uint32_t)stream))
			pcap_dump((u_char *)w->dumper, h, data);
	}
	pipeline_end_input(replay);
	if (have_prog)
		pcap_freecode(&prog);
	pcap_close(pc);
	return SOURCE_OK;
}

bool
capture_writer_close(struct capture_writer *w)
{
	bool ok = !w->failed;

	if (w->dumper != NULL) {
		if (pcap_dump_flush(w->dumper) != 0) {
			diag(w->path, "cannot write: %s", strerror(errno));
			ok = false;
		}
		pcap_dump_close(w->dumper);
	}
	if (w->dead != NULL)
		pcap_close(w->dead);
	free(w->path);
	free(w);
	return ok;
}
