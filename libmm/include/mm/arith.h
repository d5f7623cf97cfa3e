/*
 * Small unsigned arithmetic every part of the project needs: min, max,
 * division rounding up and alignment to a power of two. One definition for
 * libmm, the kernel and arch code (all may include it: it needs only
 * <stdint.h>). Pure functions on values: safe from any context.
 */
#ifndef MM_ARITH_H
#define MM_ARITH_H

#include <stdint.h>

/* The smaller of a and b. */
static inline uint64_t mm_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The larger of a and b. */
static inline uint64_t mm_max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* a / b rounded up; b != 0. Never overflows. */
static inline uint64_t mm_div_up_u64(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* v rounded down to a multiple of align, a power of two. */
static inline uint64_t mm_align_down_u64(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

/*
 * v rounded up to a multiple of align, a power of two. Wraps to 0 when the
 * result does not fit: callers that can see such a v check first.
 */
static inline uint64_t mm_align_up_u64(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

#endif /* MM_ARITH_H */
