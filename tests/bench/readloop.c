/* readloop.c: the benchmark's speed reference, a bare libpcap read loop.
 *
 * It opens the capture the way tcpdissect does (nanosecond timestamps) and
 * touches every packet just enough that the loop cannot be optimised away:
 * it sums caplen and the first byte.  Nothing a real analyzer could do is
 * faster than this, so tcpdissect's packet rate is judged against it.
 *
 * usage: readloop FILE
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o readloop readloop.c -lpcap
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t count = 0, bytes = 0, first = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: readloop FILE\n");
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO,
	    errbuf);
	if (p == NULL) {
		fprintf(stderr, "readloop: %s\n", errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		count++;
		bytes += hdr->caplen;
		if (hdr->caplen > 0)
			first += data[0];
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "readloop: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	/* Printing the sums keeps the compiler from dropping the loop body. */
	printf("%" PRIu64 " packets %" PRIu64 " bytes (first-byte sum %" PRIu64 ")\n",
	    count, bytes, first);
	return 0;
}
