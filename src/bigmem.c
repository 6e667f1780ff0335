/* bigmem.c: zeroed arrays sized by --memcap (bigmem.h). */
#include "config.h"

#include "bigmem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Before each array, in the same mapping: where the mapping starts and how
 * long it is.  The array ends flush with the guard page (but for the
 * rounding to ALIGN), so an overrun faults at once. */
struct bigmem_head {
	void	*base;
	size_t	 len;
};

#define ALIGN	16u	/* max_align_t on the platforms we build for */
#define HEAD	((sizeof(struct bigmem_head) + ALIGN - 1) / ALIGN * ALIGN)

static size_t
page_size(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return pg > 0 ? (size_t)pg : 4096u;
}

void *
bigmem_zalloc(size_t n, size_t size)
{
	size_t pg = page_size(), bytes, span, len;
	struct bigmem_head *h;
	char *base, *data;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	bytes = n * size;
	if (bytes > SIZE_MAX - HEAD - 2 * pg - ALIGN)
		return NULL;
	bytes = (bytes + ALIGN - 1) / ALIGN * ALIGN;
	span = (bytes + HEAD + pg - 1) / pg * pg;	/* head and array */
	len = span + pg;				/* and the guard */
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base + span, pg, PROT_NONE) != 0) {
		munmap(base, len);
		return NULL;
	}
	data = base + span - bytes;
	h = (struct bigmem_head *)(void *)(data - HEAD);
	h->base = base;
	h->len = len;
	return data;
}

void
bigmem_free(void *p)
{
	const struct bigmem_head *h;

	if (p == NULL)
		return;
	h = (const struct bigmem_head *)(void *)((char *)p - HEAD);
	munmap(h->base, h->len);
}
