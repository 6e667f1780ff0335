/* source.c: the offline capture source (source.h).
 *
 * Opens the input (a file, a FIFO, standard input), recognises a
 * compressed one by its magic, picks the first reader of the table below
 * whose probe accepts the content, and hands each record to the pipeline,
 * applying the BPF expression without hiding any frame from the numbering.
 * The readers and the byte input they read from are in reader.h. */
#include "config.h"

#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "decode.h"
#include "progress.h"
#include "reader.h"
#include "util.h"

#define PROBE_LEN	24u	/* content bytes a probe sees: a classic file header */
#define MAX_FILTERS	16u	/* link types one input may mix, each its own program */

/* The readers, most specific first; the first whose probe accepts the
 * content reads it.  libpcap accepts everything and says what it cannot
 * read.  TCPDISSECT_READER=NAME in the environment forces one (the tests
 * compare them: tests/reader-paths.sh). */
static const struct reader_ops *const readers[] = {
	&reader_pcap_ops,
	&reader_pcapng_ops,
	&reader_libpcap_ops,
};

/* ---- the input -------------------------------------------------------- */

/* Up to n bytes from the start of fd, not consumed for a regular file. */
static ssize_t
read_head(int fd, bool regular, uint8_t *head, size_t n)
{
	size_t got = 0;

	if (regular)
		return pread(fd, head, n, 0);
	while (got < n) {
		ssize_t r = read(fd, head + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return got > 0 ? (ssize_t)got : -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Open path ("-" = stdin) as the byte input in, through a decompressor
 * when the magic says it is compressed (*comp).  *plain: an uncompressed
 * regular file (which libpcap may open by its path). */
static bool
open_input(const char *path, struct rd_in *in, const struct compression **comp, bool *plain,
    char *why, size_t whylen)
{
	uint8_t head[6];
	struct byte_source *src;
	struct stat st;
	bool regular;
	ssize_t n;
	int fd;

	*comp = NULL;
	*plain = false;
	if (strcmp(path, "-") == 0) {
		fd = 0;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return false;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "is a directory");
		goto fail;
	}
	regular = fd != 0 && S_ISREG(st.st_mode);
	n = read_head(fd, regular, head, sizeof(head));
	if (n <= 0) {
		snprintf(why, whylen, n < 0 ? "read error: %s" : "empty file", strerror(errno));
		goto fail;
	}
	*comp = compression_detect(head, (size_t)n);
	if (*comp != NULL && (*comp)->wrap == NULL) {
		snprintf(why, whylen, "a %s-compressed file, which this build of tcpdissect "
		    "cannot read: decompress it first (%s FILE | tcpdissect ... -)",
		    (*comp)->name, (*comp)->tool);
		goto fail;
	}
	*plain = *comp == NULL && regular;
	src = fd_source(fd, head, regular ? 0 : (size_t)n);
	if (src == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if (*comp != NULL && (src = (*comp)->wrap(src, why, whylen)) == NULL)
		return false;
	return in_open_stream(in, src, why, whylen);
fail:
	if (fd != 0)
		close(fd);
	return false;
}

/* libpcap's (and the readers') open errors, said plainly. */
static void
explain_open_error(const char *err, const struct compression *comp, char *why, size_t len)
{
	char in[64] = "";

	if (comp != NULL)
		snprintf(in, sizeof(in), " (in %s-compressed data)", comp->name);
	if (strstr(err, "unknown file format") != NULL ||
	    strstr(err, "bad dump file format") != NULL)
		snprintf(why, len, "not a pcap or pcapng capture%s (%s)", in, err);
	else if (strstr(err, "truncated dump file") != NULL ||
	    strstr(err, "truncated pcapng dump file") != NULL)
		snprintf(why, len, "capture ends inside its file header%s (%s)", in, err);
	else
		snprintf(why, len, "cannot read capture%s: %s", in, err);
}

static const struct reader_ops *
choose_reader(const uint8_t *head, size_t len)
{
	const char *force = getenv("TCPDISSECT_READER");

	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (force != NULL && *force != '\0') {
			if (strcmp(force, readers[i]->name) == 0)
				return readers[i];
		} else if (readers[i]->probe(head, len)) {
			return readers[i];
		}
	}
	return &reader_libpcap_ops;
}

bool
source_check_filter(const char *expr, int linktype, char *errbuf, size_t len)
{
	pcap_t *dead = pcap_open_dead(linktype, 262144);
	struct bpf_program prog;
	bool ok;

	if (dead == NULL) {
		snprintf(errbuf, len, "out of memory");
		return false;
	}
	ok = pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (ok)
		pcap_freecode(&prog);
	else
		snprintf(errbuf, len, "%s", pcap_geterr(dead));
	pcap_close(dead);
	return ok;
}

/* ---- the filter, one program per link type ---------------------------- */

/* Compiled but never installed in a reader: frame numbers count every
 * record, matching or not. */
struct filters {
	const char		*expr;
	const char		*path;
	bool			 quiet;		/* the -w pass: said already */
	unsigned		 n;
	struct {
		int			dlt;
		bool			ok;	/* compiled */
		struct bpf_program	prog;
	} f[MAX_FILTERS];
	int			 last;		/* index of the last one used */
};

/* The program for dlt; -1 and the message printed when it does not
 * compile (first: for the input's first link type, a bad expression). */
static int
filter_for(struct filters *fs, int dlt, bool first)
{
	pcap_t *dead;
	unsigned i;

	for (i = 0; i < fs->n; i++)
		if (fs->f[i].dlt == dlt)
			return fs->f[i].ok ? (int)i : -1;
	if (fs->n == MAX_FILTERS)
		return -1;
	fs->f[i].dlt = dlt;
	fs->f[i].ok = false;
	fs->n++;
	dead = pcap_open_dead(dlt, 262144);
	if (dead == NULL) {
		diag(fs->path, "warning: out of memory for the filter");
		return -1;
	}
	if (pcap_compile(dead, &fs->f[i].prog, fs->expr, 1, PCAP_NETMASK_UNKNOWN) == 0)
		fs->f[i].ok = true;
	else if (fs->quiet)
		;
	else if (first)
		diag(fs->expr, "bad filter expression: %s", pcap_geterr(dead));
	else
		diag(fs->path, "warning: the filter does not apply to link type %d (%s); its "
		    "packets count as not matching", dlt, pcap_geterr(dead));
	pcap_close(dead);
	return fs->f[i].ok ? (int)i : -1;
}

static void
filters_free(struct filters *fs)
{
	for (unsigned i = 0; i < fs->n; i++)
		if (fs->f[i].ok)
			pcap_freecode(&fs->f[i].prog);
	fs->n = 0;
}

/* Does the packet match the BPF expression? */
static bool
packet_matches(struct filters *fs, const struct packet *pkt)
{
	struct pcap_pkthdr h;
	int i = fs->last;

	if (i < 0 || fs->f[i].dlt != pkt->linktype)
		i = fs->last = filter_for(fs, pkt->linktype, false);
	if (i < 0)
		return false;
	memset(&h, 0, sizeof(h));
	h.caplen = pkt->caplen;
	h.len = pkt->wirelen;
	return pcap_offline_filter(&fs->f[i].prog, &h, pkt->bytes) != 0;
}

/* The one place a record that the BPF expression does not match goes:
 * it has its frame number and is counted, and its TCP header still takes
 * part in Wireshark's stream numbering, but it is not analysed. */
static void
packet_filtered_out(struct pipeline *p, const struct packet *pkt)
{
	pipeline_packet_unmatched(p, pkt);
}

/* Bytes of a regular file, for the progress line's "time left"; 0 when
 * unknown (stdin, a pipe). */
static uint64_t
input_size(const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_size;
}

/* ---- the run ---------------------------------------------------------- */

/* Say once per link type of an input that its packets are not analysed. */
static void
warn_linktype(const char *path, int dlt, int *warned, unsigned *nwarned)
{
	const char *name;

	if (decode_linktype_supported(dlt))
		return;
	for (unsigned i = 0; i < *nwarned; i++)
		if (warned[i] == dlt)
			return;
	if (*nwarned < MAX_FILTERS)
		warned[(*nwarned)++] = dlt;
	name = pcap_datalink_val_to_name(dlt);
	diag(path, "warning: link type %d (%s) is not supported; its packets are counted but "
	    "not analysed", dlt, name != NULL ? name : "unknown");
}

/* The first pass (rp NULL) or the -w second pass (rp: quiet, bounded by
 * the first pass's frames, each packet handed to rp->packet). */
static enum source_status
run_input(const char *path, struct input_info *in, const struct source_opts *o,
    struct pipeline *p, const struct source_replay *rp)
{
	char why[READER_ERRLEN + 128], err[READER_ERRLEN];
	const struct compression *comp;
	const struct reader_ops *ops;
	enum source_status status = SOURCE_OK;
	struct stats *st = pipeline_stats(p);
	struct filters fs = { .expr = o->filter, .path = path, .quiet = rp != NULL,
	    .last = -1 };
	struct reader_input ri;
	struct reader_info info;
	struct reader_rec rec;
	struct reader *rd;
	struct packet pkt;
	struct rd_in input;
	struct progress progress;
	int warned[MAX_FILTERS], linktype = -1;
	unsigned nwarned = 0;
	bool plain, have_ts = false;
	ptrdiff_t got;

	if (!open_input(path, &input, &comp, &plain, why, sizeof(why))) {
		diag(path, "%s", why);
		return SOURCE_OPEN_FAILED;
	}
	got = in_reach(&input, PROBE_LEN);
	if (got <= 0) {
		if (got < 0)
			snprintf(why, sizeof(why), "%s", input.err);
		else
			snprintf(why, sizeof(why), "empty file%s%s%s",
			    comp != NULL ? " (after " : "", comp != NULL ? comp->name : "",
			    comp != NULL ? " decompression)" : "");
		in_close(&input);
		diag(path, "%s", why);
		return SOURCE_OPEN_FAILED;
	}
	in->is_pcapng = got >= 4 && rd_get32(input.cur, false) == 0x0a0d0d0a;
	ops = choose_reader(input.cur, (size_t)got);
	ri.in = &input;
	ri.path = plain ? path : NULL;
	ri.is_stdin = strcmp(path, "-") == 0;
	memset(&info, 0, sizeof(info));
	info.ts_digits = 6;
	err[0] = '\0';
	rd = ops->open(&ri, &info, err, sizeof(err));
	if (rd == NULL) {
		in_close(&input);
		explain_open_error(err, comp, why, sizeof(why));
		diag(path, "%s", why);
		return SOURCE_OPEN_FAILED;
	}
	in->ts_digits = info.ts_digits;
	if (o->filter != NULL && filter_for(&fs, info.linktype, true) < 0) {
		ops->close(rd);
		in_close(&input);
		filters_free(&fs);
		return SOURCE_BAD_FILTER;
	}
	if (rp == NULL)
		warn_linktype(path, info.linktype, warned, &nwarned);
	else if (!rp->begin(rp->ctx, info.linktype))
		goto done;

	pipeline_begin_input(p, in);
	if (o->progress)
		progress_start(&progress, stderr, path, input_size(path));
	memset(&pkt, 0, sizeof(pkt));
	pkt.file_index = in->index;
	for (;;) {
		enum reader_result rr;
		int64_t stream;

		if (rp != NULL && pkt.frame >= rp->frames)
			break;		/* as far as the first pass read */
		if (o->packets_left != NULL && o->max_packets != 0 && *o->packets_left == 0) {
			status = SOURCE_STOPPED;
			break;
		}
		if (out_failed()) {
			status = SOURCE_STOPPED;
			break;
		}
		rr = ops->next(rd, &rec);
		if (rr == READER_END)
			break;
		if (rr == READER_OTHER_FRAME) {
			pkt.frame++;		/* numbered, as Wireshark does; no packet */
			in->frames_read = pkt.frame;
			continue;
		}
		if (rr == READER_DAMAGED && rp != NULL)
			break;		/* the first pass said so */
		if (rr == READER_DAMAGED) {
			const char *e = ops->error(rd);

			st->warn[WARN_CAPTURE_DAMAGED]++;
			if (strstr(e, "different from the") != NULL) {
				/* libpcap, forced: interfaces unlike the first */
				if (!o->again)
					diag(path, "%s (libpcap cannot read such a pcapng); "
					    "analysed up to frame %" PRIu64, e, pkt.frame);
				status = SOURCE_REFUSED_LATE;
			} else {
				if (!o->again)
					diag(path, "warning: capture damaged after frame %"
					    PRIu64 ": %s; analysed up to the damage", pkt.frame, e);
				status = SOURCE_DAMAGED;
			}
			break;
		}
		pkt.frame++;
		in->frames_read = pkt.frame;
		if (o->progress)
			progress_record(&progress, rec.caplen);
		if (!rec.ts_ok)
			st->warn[WARN_BAD_TIMESTAMP]++;
		/* a time outside 1970-2116 keeps the previous record's */
		if (!rec.ts_held || !have_ts)
			pkt.ts_ns = rec.ts_ns;
		have_ts = true;
		pkt.caplen = rec.caplen;
		pkt.wirelen = rec.len;
		pkt.bytes = rec.data;
		if (rec.linktype != linktype) {
			linktype = rec.linktype;
			if (rp == NULL)
				warn_linktype(path, linktype, warned, &nwarned);
		}
		pkt.linktype = linktype;
		if (o->filter != NULL && !packet_matches(&fs, &pkt)) {
			packet_filtered_out(p, &pkt);
			continue;
		}
		if (o->packets_left != NULL && o->max_packets != 0)
			(*o->packets_left)--;	/* -c counts matching packets, as tcpdump */
		stream = pipeline_packet(p, &pkt);
		if (rp != NULL)
			rp->packet(rp->ctx, &pkt, stream);
	}
	if (o->progress)
		progress_end(&progress);
	pipeline_end_input(p);
done:
	ops->close(rd);
	in_close(&input);
	filters_free(&fs);
	return status;
}

enum source_status
source_run_file(const char *path, struct input_info *in, const struct source_opts *o,
    struct pipeline *p)
{
	return run_input(path, in, o, p, NULL);
}

enum source_status
source_replay_file(const char *path, const struct input_info *in, const char *filter,
    const struct source_replay *rp, struct pipeline *p)
{
	struct source_opts o = { .filter = filter };
	struct input_info again = *in;

	return run_input(path, &again, &o, p, rp);
}
