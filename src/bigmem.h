/* bigmem.h: zeroed arrays sized by --memcap, mapped straight from the
 * kernel.  The flow table's pools are sized for the whole cap when it is
 * created; mapped memory costs nothing until a page is touched, a guard
 * page after each array turns a run off its end into a fault, and a
 * sanitizer build does not poison and unpoison hundreds of megabytes of
 * shadow on every run (it did through calloc: 0.4 s of CPU per run of
 * the program, however small the capture).  No project headers: usable
 * from every layer. */
#ifndef TCPDISSECT_BIGMEM_H
#define TCPDISSECT_BIGMEM_H

#include <stddef.h>

/* A zeroed array of n elements of size bytes, aligned for any type; NULL
 * when n * size overflows or the memory cannot be mapped. */
void *bigmem_zalloc(size_t n, size_t size);
/* Give back an array from bigmem_zalloc(); NULL is ignored. */
void bigmem_free(void *p);

#endif /* TCPDISSECT_BIGMEM_H */
