/* fuzz_pipeline.c: the libFuzzer target for the whole program: the input
 * becomes a capture file (a memfd) that tcpdissect_main() (src/main.c)
 * reads with options the input chooses, and the JSON it prints is parsed
 * back with json-c.
 *
 * An input is SELECTOR_LEN selector bytes, then the capture file:
 *
 *   byte 0: bits 0-1 -o text, jsonl, json, or no -o; bit 2 -v; bit 3 -q;
 *           bit 4 --memcap 64K, else 4M (the default 512M costs ASan 64 MB
 *           of shadow to poison per run: 100 times slower); bit 5 -w FILE; bit 6 --strict;
 *           bit 7 TCPDISSECT_READER=libpcap (no mapped reader)
 *   byte 1: bits 0-1 no --at, --at +N/10 (+9000000000.999999999 from
 *           N = 250), --at +0, --at N (1970);
 *           bits 2-3 no filter or one of filters[]; bits 4-5 --idle-timeout
 *           default, 0.001, 1, 30; bit 6 -c N+1; bit 7 the file given twice
 *   byte 2: bit 0 --fail-on any; bit 1 --fail-on warning,syn_flood;
 *           bit 2 --msl 1; bit 3 a syn_flood hair trigger (--syn-flood-syns 2
 *           --syn-flood-ratio 1 --syn-flood-window 0.5); bit 4
 *           --close-wait-timeout 0.5; bit 5 the file as standard input ("-");
 *           bit 6 -r FILE instead of FILE; bit 7 -n
 *   byte 3: N, the number the options above use
 *
 * Checked on every input: the exit status is one of SPEC.md's (0-3); JSON
 * output (-o json) is one strict JSON object, JSON Lines output one strict
 * JSON object per line, and either is printed when the exit status is 0 or
 * 3.  A broken promise traps; ASan and UBSan catch the rest.  Build, seeds
 * and runs: README.md here. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fuzz_common.h"

#define SELECTOR_LEN	4
#define MAX_ARGS	48

int tcpdissect_main(int argc, char **argv);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const formats[] = { "text", "jsonl", "json", NULL };
static const char *const filters[] = {
	NULL, "tcp", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "not port 22 or ip6",
};
static const char *const idle[] = { NULL, "0.001", "1", "30" };

static char out_dir[] = "/tmp/fuzz-pipeline-XXXXXX";
static char out_path[sizeof(out_dir) + 16];

static void
remove_out_dir(void)
{
	unlink(out_path);
	rmdir(out_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_REQUIRE(mkdtemp(out_dir) != NULL, "mkdtemp");
	snprintf(out_path, sizeof(out_path), "%s/w.pcap", out_dir);
	atexit(remove_out_dir);
	return 0;
}

/* One strict JSON object filling s[0..n), bar trailing white space. */
static bool
json_object_text(struct json_tokener *tok, const char *s, size_t n)
{
	struct json_object *obj;
	bool ok;
	size_t end;

	json_tokener_reset(tok);
	if (n > (size_t)INT32_MAX)
		return false;
	obj = json_tokener_parse_ex(tok, s, (int)n);
	if (obj == NULL)
		return false;
	end = json_tokener_get_parse_end(tok);
	while (end < n && (s[end] == ' ' || s[end] == '\n' || s[end] == '\t' || s[end] == '\r'))
		end++;
	ok = end == n && json_object_is_type(obj, json_type_object);
	json_object_put(obj);
	return ok;
}

static void
check_json(const char *out, size_t len, bool lines)
{
	struct json_tokener *tok = json_tokener_new();
	int flags = JSON_TOKENER_STRICT;

#ifdef JSON_TOKENER_VALIDATE_UTF8
	flags |= JSON_TOKENER_VALIDATE_UTF8;
#endif
	FUZZ_REQUIRE(tok != NULL, "json_tokener_new");
	json_tokener_set_flags(tok, flags);
	if (!lines) {
		INVARIANT(json_object_text(tok, out, len));
	} else {
		const char *p = out, *end = out + len;

		INVARIANT(len > 0 && out[len - 1] == '\n');
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			INVARIANT(json_object_text(tok, p, (size_t)(nl - p)));
			p = nl + 1;
		}
	}
	json_tokener_free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[MAX_ARGS + 1];
	char path[64], at[32], count[32];
	uint8_t b0, b1, b2, n;
	int argc = 0, fd, saved_stdin = -1, rc;
	const char *input;
	struct fuzz_capture cap;
	const char *fmt;
	char *out;
	size_t len;

	if (size < SELECTOR_LEN)
		return 0;
	b0 = data[0];
	b1 = data[1];
	b2 = data[2];
	n = data[3];
	fd = fuzz_memfd("capture", data + SELECTOR_LEN, size - SELECTOR_LEN);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	input = path;
	if (b2 & 0x20) {
		saved_stdin = dup(STDIN_FILENO);
		FUZZ_REQUIRE(dup2(fd, STDIN_FILENO) == STDIN_FILENO, "dup2(stdin)");
		FUZZ_REQUIRE(fseek(stdin, 0, SEEK_SET) == 0, "fseek(stdin)");
		clearerr(stdin);
		input = "-";
	}

	argv[argc++] = "tcpdissect";
	fmt = formats[b0 & 3];
	if (fmt != NULL) {
		argv[argc++] = "-o";
		argv[argc++] = fmt;
	}
	if (b0 & 0x04)
		argv[argc++] = "-v";
	if (b0 & 0x08)
		argv[argc++] = "-q";
	argv[argc++] = b0 & 0x10 ? "--memcap=64K" : "--memcap=4M";
	if (b0 & 0x20) {
		argv[argc++] = "-w";
		argv[argc++] = out_path;
	}
	if (b0 & 0x40)
		argv[argc++] = "--strict";
	switch (b1 & 3) {
	case 1:
		if (n < 250)
			snprintf(at, sizeof(at), "+%u.%u", n / 10u, n % 10u);
		else
			snprintf(at, sizeof(at), "+9000000000.999999999");	/* the latest */
		break;
	case 2:
		snprintf(at, sizeof(at), "+0");
		break;
	case 3:
		snprintf(at, sizeof(at), "%u", n);
		break;
	default:
		at[0] = '\0';
	}
	if (at[0] != '\0') {
		argv[argc++] = "--at";
		argv[argc++] = at;
	}
	if (idle[(b1 >> 4) & 3] != NULL) {
		argv[argc++] = "--idle-timeout";
		argv[argc++] = idle[(b1 >> 4) & 3];
	}
	if (b1 & 0x40) {
		snprintf(count, sizeof(count), "%u", n + 1u);
		argv[argc++] = "-c";
		argv[argc++] = count;
	}
	if (b2 & 0x01)
		argv[argc++] = "--fail-on=any";
	if (b2 & 0x02)
		argv[argc++] = "--fail-on=warning,syn_flood";
	if (b2 & 0x04)
		argv[argc++] = "--msl=1";
	if (b2 & 0x08) {
		argv[argc++] = "--syn-flood-syns=2";
		argv[argc++] = "--syn-flood-ratio=1";
		argv[argc++] = "--syn-flood-window=0.5";
	}
	if (b2 & 0x10)
		argv[argc++] = "--close-wait-timeout=0.5";
	if (b2 & 0x80)
		argv[argc++] = "-n";
	if (b2 & 0x40)
		argv[argc++] = "-r";
	argv[argc++] = input;
	if (b1 & 0x80) {
		if (b2 & 0x40)
			argv[argc++] = "-r";
		argv[argc++] = input;
	}
	if (filters[(b1 >> 2) & 3] != NULL)
		argv[argc++] = filters[(b1 >> 2) & 3];
	argv[argc] = NULL;

	if (b0 & 0x80)
		setenv("TCPDISSECT_READER", "libpcap", 1);
	fuzz_stdout_begin(&cap);
	/* main() takes char **; it changes neither the array nor the strings. */
	rc = tcpdissect_main(argc, (char **)argv);
	out = fuzz_stdout_end(&cap, &len);
	unsetenv("TCPDISSECT_READER");

	INVARIANT(rc >= 0 && rc <= 3);
	if (fmt != NULL && strcmp(fmt, "text") != 0) {
		if (rc == 0 || rc == 3)
			INVARIANT(len > 0);
		if (len > 0)
			check_json(out, len, strcmp(fmt, "jsonl") == 0);
	}
	free(out);
	unlink(out_path);
	if (saved_stdin >= 0) {
		FUZZ_REQUIRE(dup2(saved_stdin, STDIN_FILENO) == STDIN_FILENO, "dup2(stdin)");
		close(saved_stdin);
		clearerr(stdin);
	}
	close(fd);
	return 0;
}
