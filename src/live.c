/* live.c: the live capture source (live.h).
 *
 * libpcap opens and activates the interface (immediate mode, so each
 * packet is delivered as it arrives), its selectable descriptor is made
 * non-blocking and watched by a libevent event_base: no busy loop and no
 * fixed sleeps.  Timers expire idle connections once a second and print
 * --interval reports; signal events end the loop on SIGINT/SIGTERM, after
 * which the open connections and the summary are reported as for a file.
 * Privileges are dropped (-Z) after activation and before the first
 * packet is parsed or the -w file is opened. */
#include "config.h"

#include "live.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <pcap/pcap.h>

#include "capture_writer.h"
#include "util.h"

struct live {
	const struct live_opts	*o;
	struct pipeline		*p;
	pcap_t			*pc;
	pcap_dumper_t		*dumper;
	struct event_base	*base;
	uint64_t		 frame;
	int			 linktype;
	int64_t			 ts_scale;	/* ns per unit of tv_usec: 1 or 1000 */
	enum live_status	 status;
	bool			 stopping;
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	(void)time_ns((int64_t)ts.tv_sec, ts.tv_nsec, &ns);	/* clamped */
	return ns;
}

static void
stop(struct live *l)
{
	l->stopping = true;
	event_base_loopbreak(l->base);
}

/* One packet from pcap_dispatch: the same pipeline as a file. */
static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live *l = (struct live *)user;
	struct packet pkt;

	if (l->stopping)
		return;
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = ++l->frame;
	if (!time_ns((int64_t)h->ts.tv_sec, (int64_t)h->ts.tv_usec * l->ts_scale, &pkt.ts_ns))
		pipeline_stats(l->p)->warn[WARN_BAD_TIMESTAMP]++;
	pkt.caplen = h->caplen;
	pkt.wirelen = h->len;
	pkt.linktype = l->linktype;
	pkt.bytes = data;
	if (l->dumper != NULL)
		pcap_dump((u_char *)l->dumper, h, data);
	pipeline_packet(l->p, &pkt);
	if ((l->o->count != 0 && l->frame >= l->o->count) || out_failed())
		stop(l);
}

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct live *l = arg;
	int n;

	(void)fd;
	(void)what;
	/* Everything buffered, then back to the loop: the descriptor is
	 * non-blocking, so pcap_dispatch returns 0 once the ring is empty. */
	do {
		n = pcap_dispatch(l->pc, -1, on_packet, (u_char *)l);
	} while (n > 0 && !l->stopping);
	if (n == PCAP_ERROR) {
		diag(l->o->iface, "capture failed: %s", pcap_geterr(l->pc));
		l->status = LIVE_FAILED;
		stop(l);
	}
	if (l->dumper != NULL)
		pcap_dump_flush(l->dumper);
	out_flush(stdout);
}

static void
update_stats(struct live *l)
{
	struct pcap_stat ps;

	if (pcap_stats(l->pc, &ps) == 0)
		pipeline_set_capture_stats(l->p, ps.ps_recv, ps.ps_drop, ps.ps_ifdrop);
}

/* Once a second: connections idle past --idle-timeout leave the table even
 * when no packet arrives to notice it. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct live *l = arg;

	(void)fd;
	(void)what;
	pipeline_tick(l->p, now_ns());
	out_flush(stdout);
}

static void
on_interval(evutil_socket_t fd, short what, void *arg)
{
	struct live *l = arg;

	(void)fd;
	(void)what;
	update_stats(l);
	pipeline_interval(l->p);
	out_flush(stdout);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	stop(arg);
}

/* pcap_activate's answers, said plainly. */
static void
explain_activate(const char *iface, pcap_t *pc, int rc)
{
	const char *detail = pcap_geterr(pc);

	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		diag(iface, "no such interface (tcpdissect -D lists them)");
		break;
	case PCAP_ERROR_PERM_DENIED:
		diag(iface, "permission denied: capturing needs root or the CAP_NET_RAW "
		    "capability (e.g. setcap cap_net_raw,cap_net_admin=eip tcpdissect)");
		break;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		diag(iface, "permission denied for promiscuous mode (try --no-promisc)");
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		diag(iface, "the interface is down (ip link set %s up)", iface);
		break;
	case PCAP_ERROR_RFMON_NOTSUP:
		diag(iface, "monitor mode is not supported on this interface");
		break;
	default:
		diag(iface, "cannot capture: %s", detail[0] ? detail : pcap_statustostr(rc));
		break;
	}
}

/* -Z: become user, for good.  Supplementary groups go first (that needs
 * root), then the group, then the user; afterwards no way back to root
 * may remain, and none of root's capabilities (a change of uid away from
 * 0 clears them all unless SECBIT_KEEP_CAPS, which we never set). */
static bool
drop_privileges(const char *user)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		diag("-Z", "no such user '%s'", user);
		return false;
	}
	if (setgroups(0, NULL) != 0) {
		diag("-Z", "cannot clear supplementary groups: %s", strerror(errno));
		return false;
	}
	if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		diag("-Z", "cannot become %s: %s", user, strerror(errno));
		return false;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		diag("-Z", "could get root back after becoming %s; refusing to go on", user);
		return false;
	}
	/* and nothing executed later may gain privileges either */
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return true;
}

static enum live_status
open_capture(const struct live_opts *o, struct live *l, struct input_info *in)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int rc;

	errbuf[0] = '\0';
	l->pc = pcap_create(o->iface, errbuf);
	if (l->pc == NULL) {
		diag(o->iface, "cannot capture: %s", errbuf);
		return LIVE_OPEN_FAILED;
	}
	pcap_set_snaplen(l->pc, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(l->pc, o->promisc);
	pcap_set_immediate_mode(l->pc, 1);	/* deliver each packet now */
	pcap_set_timeout(l->pc, 100);
	if (o->buffer_size > 0)
		pcap_set_buffer_size(l->pc, o->buffer_size);
	in->ts_digits = pcap_set_tstamp_precision(l->pc, PCAP_TSTAMP_PRECISION_NANO) == 0 ? 9 : 6;
	rc = pcap_activate(l->pc);
	if (rc < 0) {
		explain_activate(o->iface, l->pc, rc);
		return LIVE_OPEN_FAILED;
	}
	if (rc > 0)
		diag(o->iface, "warning: %s", rc == PCAP_WARNING_PROMISC_NOTSUP ?
		    "promiscuous mode is not supported here; capturing without it" :
		    pcap_geterr(l->pc)[0] ? pcap_geterr(l->pc) : pcap_statustostr(rc));
	l->linktype = pcap_datalink(l->pc);
	/* tv_usec holds nanoseconds when nanosecond precision was granted;
	 * pipeline timestamps are ns either way */
	l->ts_scale = pcap_get_tstamp_precision(l->pc) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
	if (o->filter != NULL) {
		struct bpf_program prog;

		if (pcap_compile(l->pc, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			diag(o->filter, "bad filter expression: %s", pcap_geterr(l->pc));
			return LIVE_BAD_FILTER;
		}
		/* In the kernel: a live capture has no file frames to keep. */
		rc = pcap_setfilter(l->pc, &prog);
		pcap_freecode(&prog);
		if (rc != 0) {
			diag(o->filter, "cannot set the filter: %s", pcap_geterr(l->pc));
			return LIVE_BAD_FILTER;
		}
	}
	if (pcap_setnonblock(l->pc, 1, errbuf) != 0) {
		diag(o->iface, "cannot make the capture non-blocking: %s", errbuf);
		return LIVE_OPEN_FAILED;
	}
	/* Everything that needs privileges is done: drop them before the
	 * first packet is parsed. */
	if (o->user != NULL) {
		if (!drop_privileges(o->user))
			return LIVE_PRIV_FAILED;
	} else if (geteuid() == 0) {
		diag(o->iface, "warning: parsing packets as root; -Z USER drops privileges "
		    "after the interface is open");
	}
	/* -w is opened as the user -Z made us (tcpdump does the same), so
	 * root's rights never reach a file a user could have pointed -w at. */
	if (o->write_file != NULL) {
		FILE *f = capture_output_fopen(o->write_file, errbuf, sizeof(errbuf));

		l->dumper = f != NULL ? pcap_dump_fopen(l->pc, f) : NULL;
		if (l->dumper == NULL) {
			diag(o->write_file, "cannot write: %s", f == NULL ? errbuf :
			    pcap_geterr(l->pc));
			if (f != NULL)
				fclose(f);
			return LIVE_OPEN_FAILED;
		}
	}
	return LIVE_OK;
}

enum live_status
live_run(const struct live_opts *o, struct input_info *in, struct pipeline *p)
{
	struct live l;
	struct event *ev_read = NULL, *ev_tick = NULL, *ev_interval = NULL;
	struct event *ev_duration = NULL, *ev_int = NULL, *ev_term = NULL;
	struct timeval one_second = { 1, 0 }, tv;
	sigset_t stop_signals;
	enum live_status st;
	int fd;

	memset(&l, 0, sizeof(l));
	l.o = o;
	l.p = p;
	l.status = LIVE_OK;
	st = open_capture(o, &l, in);
	if (st != LIVE_OK)
		goto out_close_pcap;
	fd = pcap_get_selectable_fd(l.pc);
	if (fd < 0) {
		diag(o->iface, "this capture has no descriptor to wait on");
		st = LIVE_OPEN_FAILED;
		goto out_close_pcap;
	}
	l.base = event_base_new();
	if (l.base == NULL) {
		diag(o->iface, "cannot start the event loop");
		st = LIVE_FAILED;
		goto out_close_pcap;
	}
	ev_read = event_new(l.base, fd, EV_READ | EV_PERSIST, on_readable, &l);
	ev_tick = event_new(l.base, -1, EV_PERSIST, on_tick, &l);
	ev_int = evsignal_new(l.base, SIGINT, on_stop, &l);
	ev_term = evsignal_new(l.base, SIGTERM, on_stop, &l);
	if (ev_read == NULL || ev_tick == NULL || ev_int == NULL || ev_term == NULL ||
	    event_add(ev_read, NULL) != 0 || event_add(ev_tick, &one_second) != 0 ||
	    event_add(ev_int, NULL) != 0 || event_add(ev_term, NULL) != 0) {
		diag(o->iface, "cannot set up the event loop");
		st = LIVE_FAILED;
		goto out_free_events;
	}
	if (o->interval > 0) {
		tv.tv_sec = (time_t)o->interval;
		tv.tv_usec = (suseconds_t)((o->interval - (double)tv.tv_sec) * 1e6);
		ev_interval = event_new(l.base, -1, EV_PERSIST, on_interval, &l);
		if (ev_interval == NULL || event_add(ev_interval, &tv) != 0) {
			st = LIVE_FAILED;
			goto out_free_events;
		}
	}
	if (o->duration > 0) {
		tv.tv_sec = (time_t)o->duration;
		tv.tv_usec = (suseconds_t)((o->duration - (double)tv.tv_sec) * 1e6);
		ev_duration = evtimer_new(l.base, on_stop, &l);
		if (ev_duration == NULL || event_add(ev_duration, &tv) != 0) {
			st = LIVE_FAILED;
			goto out_free_events;
		}
	}

	pipeline_begin_input(p, in);
	out_flush(stdout);
	event_base_dispatch(l.base);
	/* Whatever ended the loop, nothing already captured is lost: drain
	 * what the kernel holds (unless -c was reached), then report every
	 * connection still open and the summary. */
	if (l.status == LIVE_OK && !(o->count != 0 && l.frame >= o->count) && !out_failed()) {
		l.stopping = false;
		while (pcap_dispatch(l.pc, -1, on_packet, (u_char *)&l) > 0 && !l.stopping)
			;
	}
	update_stats(&l);
	pipeline_end_input(p);
	st = l.status;

out_free_events:
	/* The run is stopping: a further SIGINT or SIGTERM (a second ^C, a
	 * supervisor's repeated TERM) must not kill it before main() writes
	 * the final records and the summary.  Freeing the signal events puts
	 * back the action they found (the default: terminate), so the two
	 * signals are blocked across the frees, then ignored, which discards
	 * any that arrived meanwhile, then unblocked. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	if (ev_duration != NULL)
		event_free(ev_duration);
	if (ev_interval != NULL)
		event_free(ev_interval);
	if (ev_term != NULL)
		event_free(ev_term);
	if (ev_int != NULL)
		event_free(ev_int);
	if (ev_tick != NULL)
		event_free(ev_tick);
	if (ev_read != NULL)
		event_free(ev_read);
	event_base_free(l.base);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
out_close_pcap:
	if (l.dumper != NULL)
		pcap_dump_close(l.dumper);
	if (l.pc != NULL)
		pcap_close(l.pc);
	return st;
}

bool
live_list_interfaces(void)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;
	unsigned n = 0;

	if (pcap_findalldevs(&all, errbuf) != 0) {
		diag("-D", "cannot list interfaces: %s", errbuf);
		return false;
	}
	for (d = all; d != NULL; d = d->next)
		out_printf(stdout, "%u.%s%s%s%s\n", ++n, d->name,
		    d->description ? " (" : "", d->description ? d->description : "",
		    d->description ? ")" : "");
	pcap_freealldevs(all);
	return true;
}
