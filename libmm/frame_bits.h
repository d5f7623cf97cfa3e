/*
 * Private to the frame allocator (libmm/frame*.c): the geometry of its bit
 * vectors and the word operations on them. Everything is static inline so
 * that the hot path (frame.c) compiles to straight-line word operations.
 * Bit i of a vector v is bit (i % 64) of word v[i / 64].
 */
#ifndef MM_FRAME_BITS_H
#define MM_FRAME_BITS_H

#include "mm/arith.h"
#include "mm/assert.h"
#include "mm/types.h"

#define WORD_SHIFT    6u
#define WORD_BITS     (1u << WORD_SHIFT)
#define GROUP_SHIFT   (2u * WORD_SHIFT) /* frames under one empty bit-word */
#define GROUP_FRAMES  ((uint64_t)1 << GROUP_SHIFT)
#define ALL_ONES      (~(uint64_t)0)
#define BYTE_LOW_BITS 0x0101010101010101ull

/*
 * Hot-path layout: which way a branch usually goes (the compiler puts the
 * other way out of the straight line), and helpers kept out of line so
 * that the hot functions that call them need no saved registers.
 */
#define FRAME_LIKELY(c)	  __builtin_expect(!!(c), 1)
#define FRAME_UNLIKELY(c) __builtin_expect(!!(c), 0)
#define FRAME_NOINLINE	  __attribute__((noinline))

/* The single-bit mask of bit i inside its word. */
static inline uint64_t bits_bit(uint64_t i)
{
	return (uint64_t)1 << (i & (WORD_BITS - 1));
}

/* Index of the lowest set bit; x != 0. */
static inline unsigned bits_ctz(uint64_t x)
{
	return (unsigned)__builtin_ctzll(x);
}

/* Population count without a libgcc call (freestanding, no POPCNT). */
static inline unsigned bits_popcount(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * BYTE_LOW_BITS) >> 56);
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 64. */
static inline uint64_t bits_mask(uint64_t lo, uint64_t hi)
{
	uint64_t below = hi >= WORD_BITS ? ALL_ONES : bits_bit(hi) - 1;

	return below & (ALL_ONES << lo);
}

/* Bit 8k set iff byte k of w is 0xFF (an aligned run of 8 ones). */
static inline uint64_t bits_ff_bytes(uint64_t w)
{
	w &= w >> 1;
	w &= w >> 2;
	w &= w >> 4;
	return w & BYTE_LOW_BITS;
}

/*
 * Bit i (mod 64) of word w. Shifted down rather than masked: the compiler
 * makes it one bit-test instruction, without a register for the mask.
 */
static inline bool bits_has(uint64_t w, uint64_t i)
{
	return ((w >> (i & (WORD_BITS - 1))) & 1) != 0;
}

static inline bool bits_test(const uint64_t *v, uint64_t i)
{
	return bits_has(v[i >> WORD_SHIFT], i);
}

static inline void bits_apply(uint64_t *w, uint64_t m, bool set)
{
	*w = set ? *w | m : *w & ~m;
}

/* Set or clear bits [start, end), start < end, of vector v. */
static inline void bits_fill(uint64_t *v, uint64_t start, uint64_t end,
			     bool set)
{
	uint64_t first = start >> WORD_SHIFT, last = (end - 1) >> WORD_SHIFT;

	MM_ASSERT(start < end);
	if (first == last) {
		bits_apply(&v[first],
			   bits_mask(start & (WORD_BITS - 1),
				     end - (first << WORD_SHIFT)),
			   set);
		return;
	}
	bits_apply(&v[first], bits_mask(start & (WORD_BITS - 1), WORD_BITS),
		   set);
	for (uint64_t wi = first + 1; wi < last; wi++)
		v[wi] = set ? ALL_ONES : 0;
	bits_apply(&v[last], bits_mask(0, end - (last << WORD_SHIFT)), set);
}

/* First index in [pos, end) whose bit in v equals set, or end. */
static inline uint64_t bits_scan(const uint64_t *v, uint64_t pos, uint64_t end,
				 bool set)
{
	while (pos < end) {
		uint64_t wi = pos >> WORD_SHIFT;
		uint64_t w = set ? v[wi] : ~v[wi];

		w &= ALL_ONES << (pos & (WORD_BITS - 1));
		if (w)
			return mm_min_u64(end,
					  (wi << WORD_SHIFT) + bits_ctz(w));
		pos = (wi + 1) << WORD_SHIFT;
	}
	return end;
}

/* True iff bits [start, end) of v all equal set (an empty range: true). */
static inline bool bits_uniform(const uint64_t *v, uint64_t start, uint64_t end,
				bool set)
{
	return bits_scan(v, start, end, !set) == end;
}

#endif /* MM_FRAME_BITS_H */
