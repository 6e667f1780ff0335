/* sockets.h: the connection table as `ss -tan` would have shown it at one
 * moment (--at TIME), built from the flow table and the listeners.
 *
 * Each side of a live connection whose state the capture shows is a row
 * (a capture taken on a host sees that host's sockets; which address is the
 * host's is not in the capture, so both ends are listed); each listener
 * seen is a LISTEN row.  The queues are what the capture can show: bytes
 * sent and not yet acknowledged (Send-Q) and bytes received and not yet
 * acknowledged (Recv-Q); what an application has not read yet is not on
 * the wire.  Owns the rows it allocates, once per snapshot. */
#ifndef TCPDISSECT_SOCKETS_H
#define TCPDISSECT_SOCKETS_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "report.h"

/* Fill st with the sockets of t's live connections and the listeners
 * ls[0..nls) at at_ns.  False when memory for the rows cannot be had. */
bool sockets_snapshot(const struct flow_table *t, const struct listener *ls, unsigned nls,
    int64_t at_ns, struct socket_table *st);
void sockets_free(struct socket_table *st);

#endif /* TCPDISSECT_SOCKETS_H */
