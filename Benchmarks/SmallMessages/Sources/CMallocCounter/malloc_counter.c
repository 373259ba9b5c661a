// Counts allocations by defining the allocator entry points in the executable, which the dynamic
// linker prefers over libc's for every library of the process, and forwarding to glibc's
// __libc_* implementations. Nothing is changed about how memory is allocated.
#include "malloc_counter.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t counter;

static inline void count(void) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); }

uint64_t envelope_malloc_count(void) { return __atomic_load_n(&counter, __ATOMIC_RELAXED); }

int envelope_malloc_counter_active(void) {
    uint64_t before = envelope_malloc_count();
    void *volatile p = malloc(24);
    free(p);
    return envelope_malloc_count() > before;
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    void *p = __libc_memalign(alignment, size);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}
#else
uint64_t envelope_malloc_count(void) { return 0; }
int envelope_malloc_counter_active(void) { return 0; }
#endif
