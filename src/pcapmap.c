/* pcapmap.c: classic pcap records from a mapped file (pcapmap.h).
 *
 * Every check and message below mirrors pcap_next_packet() in libpcap
 * 1.10's sf-pcap.c; tests/reader-paths.sh runs every capture of the suite
 * (and damaged cuts of them) through both readers and requires the same
 * output. */
#include "config.h"

#include "pcapmap.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_HDR_LEN	24u	/* struct pcap_file_header */
#define REC_HDR_LEN	16u	/* struct pcap_sf_pkthdr */

/* The window.  Each costs an mmap, a fault and a munmap (about 10 us)
 * besides the per-page work, and all of it is resident while mapped (the
 * kernel maps a large page-cache folio whole at the first touch): 128 KiB
 * is 4,800 windows per 600 MiB, about 50 ms, and as much RSS as the stdio
 * buffer libpcap's path used (64 KiB) plus 64 KiB.  (256 KiB windows
 * saved 20 ms more on the benchmark but cost 8 bytes of RSS per tracked
 * connection there, whose budget is 256.)  A record larger than the window
 * gets a window of its own. */
#define WINDOW		(128u << 10)

static uint32_t
get32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));	/* host order, as libpcap's fread */
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t
get16(const uint8_t *p, bool swap)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap16(v) : v;
}

/* ---- a file cut short under us ----------------------------------------
 *
 * Pages of a mapping beyond the end of a file that shrank after mapping
 * (truncated, overwritten by a new capture) raise SIGBUS where read()
 * would have said EOF; so would an I/O error.  While a window is mapped,
 * a SIGBUS inside it maps zeros over the rest of the window, so that the
 * interrupted read completes, and notes it: pcapmap_next then reports
 * the damage instead of the process dying.  (The record being analysed
 * when it happened may be read partly as zeros: it was being cut.) */

static const uint8_t *volatile bus_win;		/* the window being read */
static volatile size_t bus_len;
static volatile sig_atomic_t bus_hit;
static struct sigaction bus_saved;

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, w = (uintptr_t)bus_win;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)uc;
	if (w != 0 && a >= w && a < w + bus_len) {
		a &= ~(page - 1);
		if (mmap((void *)a, w + bus_len - a, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			bus_hit = 1;
			return;
		}
	}
	/* not ours: what would have happened without us */
	sigaction(sig, &bus_saved, NULL);
	raise(sig);
}

static void
bus_guard(bool on)
{
	struct sigaction sa;

	if (on) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, &bus_saved);
	} else {
		sigaction(SIGBUS, &bus_saved, NULL);
		bus_win = NULL;
		bus_len = 0;
	}
	bus_hit = 0;
}

static void
unmap_window(struct pcapmap *m)
{
	bus_win = NULL;
	if (m->win != NULL)
		munmap((void *)m->win, m->win_len);
	m->win = NULL;
	m->win_len = 0;
}

/* Map the window that holds [off, off + need), as far as the file goes.
 * False (errno set) when mmap fails. */
static bool
map_window(struct pcapmap *m, size_t off, size_t need)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t base = off & ~(page - 1), len = WINDOW;
	void *w;

	if (len < off - base + need)
		len = off - base + need;
	if (len > m->size - base)
		len = m->size - base;
	unmap_window(m);
	w = mmap(NULL, len, PROT_READ, MAP_SHARED, m->fd, (off_t)base);
	if (w == MAP_FAILED)
		return false;
	/* Read ahead generously on a cold cache; nothing is read twice. */
	(void)madvise(w, len, MADV_SEQUENTIAL);
	m->win = w;
	m->win_off = base;
	m->win_len = len;
	bus_len = len;
	bus_win = w;
	return true;
}

bool
pcapmap_open(struct pcapmap *m, int fd, uint32_t snapshot, uint32_t max_caplen)
{
	struct stat st;
	uint32_t magic;

	memset(m, 0, sizeof(*m));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)FILE_HDR_LEN)
		return false;
	m->size = (size_t)st.st_size;
	m->fd = fd;
	m->snapshot = snapshot;
	m->max_caplen = max_caplen;
	bus_guard(true);
	if (!map_window(m, 0, FILE_HDR_LEN)) {
		bus_guard(false);
		return false;
	}
	/* Only the four standard magics: the "Kuznetzov" patched format has
	 * longer record headers and its own snapshot arithmetic. */
	magic = get32(m->win, false);
	switch (magic) {
	case 0xa1b2c3d4: break;
	case 0xd4c3b2a1: m->swapped = true; break;
	case 0xa1b23c4d: m->nsec = true; break;
	case 0x4d3cb2a1: m->swapped = m->nsec = true; break;
	default: goto refuse;
	}
	/* Only version 2.4: for older files libpcap guesses whether caplen
	 * and len were written swapped, and that guess stays in libpcap. */
	if (get16(m->win + 4, m->swapped) != 2 || get16(m->win + 6, m->swapped) != 4)
		goto refuse;
	m->off = FILE_HDR_LEN;
	return true;
refuse:
	pcapmap_close(m);
	return false;
}

void
pcapmap_close(struct pcapmap *m)
{
	unmap_window(m);
	bus_guard(false);
}

/* Make [off, off + need) readable in the window, or as much of it as the
 * file holds; the bytes available from off afterwards, or -1 (errno set)
 * when mapping fails.  A file still being written may have grown since it
 * was last measured, as stdio would find reading on. */
static ptrdiff_t
reach_slow(struct pcapmap *m, size_t need)
{
	struct stat st;

	if (m->size - m->off < need && fstat(m->fd, &st) == 0 && st.st_size > (off_t)m->size)
		m->size = (size_t)st.st_size;
	if (m->size - m->off < need)
		need = m->size - m->off;
	if (need > 0 && m->off + need > m->win_off + m->win_len &&
	    !map_window(m, m->off, need))
		return -1;
	return (ptrdiff_t)need;
}

/* The common case inline: the bytes are in the window already. */
static inline ptrdiff_t
reach(struct pcapmap *m, size_t need)
{
	if (m->off + need <= m->win_off + m->win_len)
		return (ptrdiff_t)need;
	return reach_slow(m, need);
}

enum pcapmap_result
pcapmap_next(struct pcapmap *m, struct pcapmap_rec *r, char *err, size_t errlen)
{
	const uint8_t *h;
	ptrdiff_t got;
	size_t avail, rel;
	uint32_t caplen;

	if (bus_hit) {
		snprintf(err, errlen, "error reading dump file: truncated while being read, "
		    "or an I/O error");
		return PCAPMAP_DAMAGED;
	}
	got = reach(m, REC_HDR_LEN);
	if (got < 0)
		goto read_error;
	if (got == 0)
		return PCAPMAP_END;
	if (got < (ptrdiff_t)REC_HDR_LEN) {
		snprintf(err, errlen, "truncated dump file; tried to read %u header bytes, "
		    "only got %zu", REC_HDR_LEN, (size_t)got);
		return PCAPMAP_DAMAGED;
	}
	h = m->win + (m->off - m->win_off);
	r->sec = (int32_t)get32(h, m->swapped);
	r->frac = (int32_t)get32(h + 4, m->swapped);
	if (!m->nsec)
		r->frac *= 1000;
	caplen = get32(h + 8, m->swapped);
	r->len = get32(h + 12, m->swapped);
	if (caplen > m->max_caplen) {
		if (caplen > m->snapshot)
			snprintf(err, errlen, "invalid packet capture length %u, bigger than "
			    "snaplen of %d", caplen, (int)m->snapshot);
		else
			snprintf(err, errlen, "invalid packet capture length %u, bigger than "
			    "maximum of %u", caplen, m->max_caplen);
		return PCAPMAP_DAMAGED;
	}
	got = reach(m, REC_HDR_LEN + (size_t)caplen);
	if (got < 0)
		goto read_error;
	avail = (size_t)got - REC_HDR_LEN;
	/* A record longer than the file's snapshot length is cut to it (old
	 * Solaris wrote such files); libpcap reads the snapshot, then skips
	 * the rest, and says which of the two it could not finish. */
	if (caplen > m->snapshot && avail < m->snapshot) {
		snprintf(err, errlen, "truncated dump file; tried to read %d captured bytes, "
		    "only got %zu", (int)m->snapshot, avail);
		return PCAPMAP_DAMAGED;
	}
	if (avail < caplen) {
		snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, "
		    "only got %zu", caplen, avail);
		return PCAPMAP_DAMAGED;
	}
	r->caplen = caplen > m->snapshot ? m->snapshot : caplen;
	/* (reach may have moved the window) */
	r->data = m->win + (m->off - m->win_off) + REC_HDR_LEN;
	m->off += REC_HDR_LEN + (size_t)caplen;
	rel = m->off - m->win_off;
	if (rel + REC_HDR_LEN <= m->win_len) {
		rel += REC_HDR_LEN + get32(m->win + rel + 8, m->swapped);
		if (rel + 128 <= m->win_len) {
			__builtin_prefetch(m->win + rel);
			__builtin_prefetch(m->win + rel + 64);
		}
	}
	return PCAPMAP_RECORD;
read_error:
	snprintf(err, errlen, "error reading dump file: %s", strerror(errno));
	return PCAPMAP_DAMAGED;
}
