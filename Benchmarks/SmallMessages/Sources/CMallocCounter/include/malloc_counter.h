#ifndef ENVELOPE_MALLOC_COUNTER_H
#define ENVELOPE_MALLOC_COUNTER_H
#include <stdint.h>

/// Number of heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign)
/// made by the whole process since it started. Linux/glibc only; 0 elsewhere.
uint64_t envelope_malloc_count(void);

/// 1 when the interposer is active (the allocator calls of the process reach it).
int envelope_malloc_counter_active(void);
#endif
