/*
 * The pseudo-random generator of the randomized model tests: xorshift64*,
 * deterministic for a fixed seed on every platform, so a failing step can
 * be replayed exactly.
 */
#ifndef XOMB_TEST_XORSHIFT_H
#define XOMB_TEST_XORSHIFT_H

#include <stdint.h>

/* Advance *state (never 0) and return the next 64-bit value. */
static inline uint64_t xorshift64star(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545F4914F6CDD1Dull;
}

#endif /* XOMB_TEST_XORSHIFT_H */
